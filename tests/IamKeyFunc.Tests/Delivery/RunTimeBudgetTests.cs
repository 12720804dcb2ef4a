using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Delivery;

/// <summary><c>IamKey:Delivery:RunTimeBudget</c>: set, or derived from the Functions host's <c>functionTimeout</c>, and checked at start.</summary>
public sealed class RunTimeBudgetTests : IDisposable
{
    private readonly string _appFolder = Directory.CreateTempSubdirectory("iamkeys-host-").FullName;

    [Fact]
    public void Budget_ShouldBeNinetyPercentOfHostJsonFunctionTimeout_WhenTheAppRunsUnderTheHost()
    {
        WriteHostJson("""{ "version": "2.0", "functionTimeout": "00:10:00" }""");

        var budget = Resolve(UnderTheHost());

        Assert.Equal(TimeSpan.FromMinutes(9), budget);
    }

    [Fact]
    public void Budget_ShouldFollowTheHostsAppSettingOverride_OverHostJson()
    {
        WriteHostJson("""{ "version": "2.0", "functionTimeout": "00:10:00" }""");

        var budget = Resolve(UnderTheHost(("AzureFunctionsJobHost:functionTimeout", "00:20:00")));

        Assert.Equal(TimeSpan.FromMinutes(18), budget);
    }

    [Theory]
    [InlineData(false, """{ "version": "2.0", "functionTimeout": "00:10:00" }""")] // not under the host: its host.json does not apply
    [InlineData(true, """{ "version": "2.0" }""")]
    [InlineData(true, """{ "version": "2.0", "functionTimeout": "-1" }""")] // unlimited (Premium, Dedicated)
    public void Budget_ShouldBeTheDefault_WhenNoHostTimeoutApplies(bool underTheHost, string hostJson)
    {
        WriteHostJson(hostJson);

        var budget = Resolve(underTheHost ? UnderTheHost() : [("AzureWebJobsScriptRoot", _appFolder)]);

        Assert.Equal(DeliveryOptions.DefaultRunTimeBudget, budget);
    }

    [Fact]
    public void Budget_ShouldBeTheSetting_WhenSet()
    {
        WriteHostJson("""{ "version": "2.0", "functionTimeout": "00:30:00" }""");

        var budget = Resolve(UnderTheHost(("IamKey:Delivery:RunTimeBudget", "00:05:00")));

        Assert.Equal(TimeSpan.FromMinutes(5), budget);
    }

    [Fact]
    public void Start_ShouldFailNamingBothSettings_WhenTheBudgetIsNotShorterThanTheHostsTimeout()
    {
        WriteHostJson("""{ "version": "2.0", "functionTimeout": "00:30:00" }""");

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(UnderTheHost(("IamKey:Delivery:RunTimeBudget", "00:30:00"))));

        Assert.Contains("IamKey:Delivery:RunTimeBudget (00:30:00) must be shorter than the Functions host's functionTimeout (00:30:00)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "version": "2.0", "functionTimeout": "half an hour" }""", "functionTimeout in")]
    [InlineData("""{ "version": "2.0", "functionTimeout": """, "could not be read for its functionTimeout")]
    public void Start_ShouldFailNamingHostJson_WhenItsFunctionTimeoutCannotBeRead(string hostJson, string expected)
    {
        WriteHostJson(hostJson);

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(UnderTheHost()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_appFolder, "host.json"), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-00:00:01", "IamKey:Delivery:RunTimeBudget must be between 00:00:00 and 1.00:00:00.")]
    [InlineData("soon", "IamKey:Delivery:RunTimeBudget is 'soon': expected a duration")]
    public void Start_ShouldFailNamingTheSetting_WhenTheBudgetIsOutOfRange(string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve([("IamKey:Delivery:RunTimeBudget", value)]));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryReserveStart_ShouldKeepAThirdOfTheTimeLeftForTheSummaries()
    {
        var now = DateTimeOffset.UtcNow;
        var recovery = new DeliveryRecovery(Options.Create(new DeliveryOptions()), new FixedClock(now), Microsoft.Extensions.Logging.Abstractions.NullLogger<DeliveryRecovery>.Instance);

        Assert.Equal(now + TimeSpan.FromMinutes(6), recovery.SummaryReserveStart(now + TimeSpan.FromMinutes(9)));
        Assert.Equal(now - TimeSpan.FromSeconds(1), recovery.SummaryReserveStart(now - TimeSpan.FromSeconds(1)));
    }

    public void Dispose() => Directory.Delete(_appFolder, recursive: true);

    private (string, string?)[] UnderTheHost(params (string, string?)[] more) =>
        [("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated"), ("AzureWebJobsScriptRoot", _appFolder), .. more];

    private void WriteHostJson(string text) => File.WriteAllText(Path.Combine(_appFolder, "host.json"), text);

    private static TimeSpan Resolve(IEnumerable<(string Key, string? Value)> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("IamKey:Delivery:Sink", "None")))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Azure.Core.TokenCredential>(new Azure.Identity.ClientSecretCredential("tenant", "client", "not-used"));
        services.AddReportDelivery(configuration);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider.GetRequiredService<DeliveryRecovery>().Budget;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
