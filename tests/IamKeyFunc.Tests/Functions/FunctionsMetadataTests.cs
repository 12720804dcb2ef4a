using System.Reflection;
using System.Text.Json.Nodes;
using IamKeyFunc.Functions;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Azure.Functions.Worker;

namespace IamKeyFunc.Tests.Functions;

/// <summary>
/// The Functions host indexes the app from the <c>functions.metadata</c> the SDK writes at build time, next to
/// <c>IamKeyFunc.dll</c>. Core Tools are not needed to prove the wiring: this reads the file the build produced.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly string FunctionAppDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;

    private static readonly JsonArray Functions = LoadMetadata();

    [Fact]
    public void Metadata_ShouldListExactlyTheTimerTheHttpRefreshAndTheQueueFunctions()
    {
        var names = Functions.Select(f => (string?)f!["name"]).Order(StringComparer.Ordinal);

        Assert.Equal([nameof(CollectAccount), nameof(CollectAccountPoisoned), nameof(DailyReport), nameof(RefreshReport)], names);
    }

    [Theory]
    [InlineData(nameof(CollectAccount), RunOptions.AccountQueue)]
    [InlineData(nameof(CollectAccountPoisoned), RunOptions.PoisonQueue)]
    public void QueueFunctions_ShouldTriggerOnTheAccountQueueAndItsPoisonQueue(string function, string queue)
    {
        var trigger = Assert.Single(Bindings(function));

        Assert.Equal("queueTrigger", (string?)trigger["type"]);
        Assert.Equal(queue, (string?)trigger["queueName"]);
    }

    [Fact]
    public void DailyReport_ShouldBeATimerOnTheScheduleAppSettingThatDoesNotRunOnStartup()
    {
        var trigger = Assert.Single(Bindings(nameof(DailyReport)));

        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal("In", (string?)trigger["direction"]);
        Assert.Equal("%IAMKEY_SCHEDULE%", (string?)trigger["schedule"]);
        Assert.False((bool?)trigger["runOnStartup"]);
    }

    [Fact]
    public void DailyReport_ShouldDeclareAnExponentialBackoffRetryPolicy()
    {
        var retry = Function(nameof(DailyReport))["retry"];

        Assert.NotNull(retry);
        Assert.Equal("exponentialBackoff", (string?)retry["strategy"]);
        Assert.Equal(3, (int?)retry["maxRetryCount"]);
        Assert.Equal("00:01:00", (string?)retry["minimumInterval"]);
        Assert.Equal("00:15:00", (string?)retry["maximumInterval"]);
    }

    [Fact]
    public void RefreshReport_ShouldBeAFunctionKeyPostOnReportRefreshWithAnHttpResponse()
    {
        var bindings = Bindings(nameof(RefreshReport));

        var trigger = Assert.Single(bindings, b => (string?)b["type"] == "httpTrigger");
        Assert.Equal("report/refresh", (string?)trigger["route"]);
        Assert.Equal(["post"], trigger["methods"]!.AsArray().Select(m => (string?)m));
        Assert.Equal("function", ((string?)trigger["authLevel"])?.ToLowerInvariant());
        var output = Assert.Single(bindings, b => (string?)b["direction"] == "Out");
        Assert.Equal("http", (string?)output["type"]);
        Assert.Null(Function(nameof(RefreshReport))["retry"]);
    }

    [Theory]
    [InlineData(nameof(DailyReport))]
    [InlineData(nameof(RefreshReport))]
    public void EntryPoint_ShouldResolveToTheFunctionMethodInTheScriptFile(string name)
    {
        var function = Function(name);
        var scriptFile = Path.Combine(FunctionAppDirectory, (string)function["scriptFile"]!);
        var entryPoint = (string)function["entryPoint"]!;
        var separator = entryPoint.LastIndexOf('.');

        Assert.True(File.Exists(scriptFile), $"{scriptFile} is missing");
        Assert.Equal("dotnet-isolated", (string?)function["language"]);
        var type = typeof(Program).Assembly.GetType(entryPoint[..separator], throwOnError: true)!;
        var method = type.GetMethod(entryPoint[(separator + 1)..], BindingFlags.Public | BindingFlags.Instance);
        Assert.Equal(name, method?.GetCustomAttribute<FunctionAttribute>()?.Name);
    }

    [Fact]
    public void WorkerConfig_ShouldStartTheWorkerWithDotnetAndWorkerIndexing()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionAppDirectory, "worker.config.json")))!;

        Assert.Equal("dotnet", (string?)config["description"]!["defaultExecutablePath"]);
        Assert.Equal("IamKeyFunc.dll", (string?)config["description"]!["defaultWorkerPath"]);
    }

    private static JsonObject Function(string name) =>
        Assert.Single(Functions, f => (string?)f!["name"] == name)!.AsObject();

    private static List<JsonObject> Bindings(string name) =>
        [.. Function(name)["bindings"]!.AsArray().Select(b => b!.AsObject())];

    private static JsonArray LoadMetadata()
    {
        var path = Path.Combine(FunctionAppDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata was not found next to IamKeyFunc.dll in {FunctionAppDirectory}; the Functions SDK writes it on build.");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    }
}
