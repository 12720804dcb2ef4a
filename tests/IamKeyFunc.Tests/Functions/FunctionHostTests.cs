using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IamKeyFunc.Functions;
using IamKeyFunc.Reporting.Runs;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Functions;

/// <summary>
/// Builds the real Function host from <see cref="Program.CreateBuilder"/> (without starting the gRPC worker) with
/// the settings of <c>local.settings.sample.json</c>, as <c>func start</c> would pass them.
/// </summary>
public sealed partial class FunctionHostTests
{
    [Fact]
    public void Sample_ShouldHaveAValueForEveryPlaceholderThisTestKnows()
    {
        var settings = SampleSettings();

        Assert.DoesNotContain(settings, s => s.Value?.Contains('<') == true);
        Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", settings["AzureWebJobsStorage"]);
        Assert.Equal(ScheduleOptions.DefaultSchedule, settings[ScheduleOptions.SettingName]);
    }

    [Fact]
    public void Host_ShouldResolveEveryFunctionAndPassStartupValidation_WithTheSampleSettings()
    {
        using var host = BuildHost(SampleSettings());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(host.Services.GetRequiredService<ReportJob>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<DailyReport>(host.Services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<RefreshReport>(host.Services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ExceptionHandlingMiddleware>(host.Services));
        Assert.Equal(ScheduleOptions.DefaultSchedule, host.Services.GetRequiredService<IOptions<ScheduleOptions>>().Value.Schedule);

        // Application Insights as the worker wires it (ConfigureFunctionsApplicationInsights needs the 2.x SDK).
        Assert.NotNull(host.Services.GetRequiredService<TelemetryClient>());
        Assert.NotEmpty(host.Services.GetServices<ITelemetryInitializer>());
    }

    [Fact]
    public async Task WorkerIndexedMetadata_ShouldMatchTheBuiltFunctionsMetadata()
    {
        // worker.config.json turns worker indexing on: in Azure the host asks the worker for its functions, and the
        // worker answers from the source-generated provider (registered by its IAutoConfigureStartup), not the file.
        var directory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;

        var indexed = await new GeneratedFunctionMetadataProvider().GetFunctionMetadataAsync(directory);

        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "functions.metadata")))!.AsArray();
        Assert.Equal(file.Count, indexed.Length);
        foreach (var function in indexed)
        {
            var expected = Assert.Single(file, f => (string?)f!["name"] == function.Name)!;
            Assert.Equal((string?)expected["entryPoint"], function.EntryPoint);
            Assert.Equal(
                expected["bindings"]!.AsArray().Select(b => Normalize(b!.AsObject())),
                function.RawBindings!.Select(raw => Normalize(JsonNode.Parse(raw)!.AsObject())));
            Assert.Equal((int?)expected["retry"]?["maxRetryCount"], function.Retry?.MaxRetryCount);
            Assert.Equal((string?)expected["retry"]?["minimumInterval"], function.Retry?.MinimumInterval?.ToString());
            Assert.Equal((string?)expected["retry"]?["maximumInterval"], function.Retry?.MaximumInterval?.ToString());
        }
    }

    [Theory]
    [InlineData("IamKey:Aws:RoleArn", "", "IamKey:Aws:RoleArn")]
    [InlineData("IamKey:Aws:RoleArn", "arn:aws:iam::12345:role/Reader", "IamKey:Aws:RoleArn")]
    [InlineData("IamKey:Aws:Audience", "https://sts.amazonaws.com", "IamKey:Aws:Audience")]
    [InlineData("IamKey:DataCollector:WorkspaceId", "my-workspace", "IamKey:DataCollector:WorkspaceId")]
    [InlineData("IamKey:DataCollector:KeyVaultUri", "kv-iamkeys", "IamKey:DataCollector:KeyVaultUri")]
    [InlineData("IamKey:Delivery:Sink", "EventHub", "IamKey:Delivery:Sink")]
    [InlineData("IAMKEY_SCHEDULE", "every day at six", "IAMKEY_SCHEDULE")]
    [InlineData("IAMKEY_SCHEDULE", "0 6 * * *", "IAMKEY_SCHEDULE")]
    [InlineData("IamKey:Findings:RotationDays", "0", "IamKey:Findings:RotationDays")]
    [InlineData("IamKey:Findings:UnusedDays", "5000", "IamKey:Findings:UnusedDays")]
    [InlineData("IamKey:Collection:MaxParallelAccounts", "0", "IamKey:Collection:MaxParallelAccounts")]
    public void StartupValidation_ShouldStopTheHostWithAMessageNamingTheSetting_WhenASettingIsBad(string key, string value, string named)
    {
        var settings = SampleSettings();
        settings[key] = value;
        using var host = BuildHost(settings);

        var exception = Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.NotNull(exception);
        Assert.Contains(named, Messages(exception), StringComparison.Ordinal);
    }

    [Fact]
    public void StartupValidation_ShouldNameTheScheduleSetting_WhenItIsMissing()
    {
        var settings = SampleSettings();
        settings.Remove(ScheduleOptions.SettingName);
        using var host = BuildHost(settings);

        var exception = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("IAMKEY_SCHEDULE is not set", Messages(exception), StringComparison.Ordinal);
    }

    /// <summary>The sample's Values with each <c>&lt;placeholder&gt;</c> replaced by a valid value and <c>__</c> turned into <c>:</c>, as the host's environment provider does.</summary>
    internal static Dictionary<string, string?> SampleSettings()
    {
        var substitutes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["central-account-id"] = "111122223333",
            ["app-registration-client-id"] = "0b6c3c7e-6f0c-4d8e-9d57-0a4f3b9e2c11",
            ["log-analytics-workspace-id"] = "5e1a1f0e-3b7d-4c5e-8f2a-9c4d6b7e8f90",
            ["key-vault-name"] = "kv-iamkeys",
        };
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "local.settings.sample.json")))!;

        return sample["Values"]!.AsObject().ToDictionary(
            pair => pair.Key.Replace("__", ":", StringComparison.Ordinal),
            pair => (string?)Placeholder().Replace((string)pair.Value!, match =>
                substitutes.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value));
    }

    internal static IHost BuildHost(IReadOnlyDictionary<string, string?> settings)
    {
        // Command-line arguments are the highest-priority configuration source of the Functions builder, so the test
        // settings win over anything in the environment of the test process.
        var args = settings.Select(s => $"--{s.Key}={s.Value}").ToArray();
        return Program.CreateBuilder(args).Build();
    }

    private static string Messages(Exception exception) => exception switch
    {
        AggregateException aggregate => string.Join(Environment.NewLine, aggregate.InnerExceptions.Select(Messages)),
        OptionsValidationException validation => string.Join(Environment.NewLine, validation.Failures),
        _ => exception.Message + (exception.InnerException is { } inner ? Environment.NewLine + Messages(inner) : ""),
    };

    private static string Normalize(JsonObject binding)
    {
        var copy = JsonNode.Parse(binding.ToJsonString())!.AsObject();
        copy.Remove("properties");
        return JsonSerializer.Serialize(copy.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value?.ToJsonString()));
    }

    [GeneratedRegex("<([a-z-]+)>")]
    private static partial Regex Placeholder();
}
