using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Delivery;

public sealed class DeliveryOptionsValidationTests
{
    private static readonly Dictionary<string, string?> ValidDataCollector = new()
    {
        ["IamKey:Delivery:Sink"] = "DataCollector",
        ["IamKey:DataCollector:WorkspaceId"] = "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
        ["IamKey:DataCollector:KeyVaultUri"] = "https://kv-iamkeys.vault.azure.net/",
    };

    private static readonly Dictionary<string, string?> ValidLogsIngestion = new()
    {
        ["IamKey:Delivery:Sink"] = "LogsIngestion",
        ["IamKey:LogsIngestion:Endpoint"] = "https://dcr-iamkeys-abcd.westeurope-1.ingest.monitor.azure.com",
        ["IamKey:LogsIngestion:DcrImmutableId"] = "dcr-0123456789abcdef0123456789abcdef",
    };

    [Theory]
    [InlineData("IamKey:DataCollector:WorkspaceId", "my-workspace", "IamKey:DataCollector:WorkspaceId must be the workspace ID (a GUID")]
    [InlineData("IamKey:DataCollector:WorkspaceId", null, "IamKey:DataCollector:WorkspaceId must be the workspace ID (a GUID")]
    [InlineData("IamKey:DataCollector:KeyVaultUri", "http://kv-iamkeys.vault.azure.net/", "IamKey:DataCollector:KeyVaultUri must be the vault's absolute https URI")]
    [InlineData("IamKey:DataCollector:KeyVaultUri", null, "IamKey:DataCollector:KeyVaultUri must be the vault's absolute https URI")]
    [InlineData("IamKey:DataCollector:Endpoint", "http://example.ods.opinsights.azure.us", "IamKey:DataCollector:Endpoint must be an absolute https URI")]
    [InlineData("IamKey:DataCollector:AzureResourceId", "func-iamkeys", "IamKey:DataCollector:AzureResourceId must be an Azure resource ID")]
    [InlineData("IamKey:DataCollector:WorkspaceKeySecretName", "law_key!", "IamKey:DataCollector:WorkspaceKeySecretName must be a Key Vault secret name")]
    [InlineData("IamKey:Delivery:KeyRecordTable", "Aws-Keys", "IamKey:Delivery:KeyRecordTable must be letters, digits or underscores")]
    [InlineData("IamKey:Delivery:RetryMaxDelay", "00:00:00.500", "IamKey:Delivery:RetryBaseDelay must not be longer than IamKey:Delivery:RetryMaxDelay")]
    [InlineData("IamKey:Delivery:RunSummaryTable", "AwsAccessKeyReport", "must be different tables")]
    public void DataCollectorSettings_FailAtStartWithAMessageNamingTheSetting(string key, string? value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Validate(With(ValidDataCollector, key, value)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("IamKey:LogsIngestion:Endpoint", "http://dcr.ingest.monitor.azure.com", "IamKey:LogsIngestion:Endpoint must be the DCR's logs ingestion endpoint")]
    [InlineData("IamKey:LogsIngestion:DcrImmutableId", "dcr-123", "IamKey:LogsIngestion:DcrImmutableId must be the DCR's immutable ID: dcr- followed by 32 hex digits")]
    [InlineData("IamKey:LogsIngestion:DcrImmutableId", "0123456789abcdef0123456789abcdef", "IamKey:LogsIngestion:DcrImmutableId must be")]
    [InlineData("IamKey:LogsIngestion:KeyRecordStream", "AwsAccessKeyReport", "IamKey:LogsIngestion:KeyRecordStream must be a DCR stream name: Custom-")]
    [InlineData("IamKey:LogsIngestion:RunSummaryStream", "Custom-", "IamKey:LogsIngestion:RunSummaryStream must be a DCR stream name")]
    [InlineData("IamKey:LogsIngestion:Audience", "http://monitor.azure.us", "IamKey:LogsIngestion:Audience must be an absolute https URI")]
    public void LogsIngestionSettings_FailAtStartWithAMessageNamingTheSetting(string key, string? value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Validate(With(ValidLogsIngestion, key, value)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidSettings_PassAndSelectTheSink()
    {
        Assert.IsType<DataCollectorSink>(Validate(ValidDataCollector).GetRequiredService<IReportSink>());
        Assert.IsType<LogsIngestionSink>(Validate(ValidLogsIngestion).GetRequiredService<IReportSink>());
    }

    [Fact]
    public void TheUnusedSinksSettingsAreNotRequired()
    {
        // Logs Ingestion chosen: no Data Collector settings at all, and vice versa.
        Validate(ValidLogsIngestion);
        Validate(ValidDataCollector);
    }

    [Fact]
    public void SinkNone_NeedsNoSinkSettingsAndOffersNoSink()
    {
        var services = Validate(new Dictionary<string, string?> { ["IamKey:Delivery:Sink"] = "None" });

        var error = Assert.Throws<InvalidOperationException>(services.GetRequiredService<IReportSink>);
        Assert.Contains("IamKey:Delivery:Sink is None", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InternalTestKnobs_ShouldBeUnknownSettings_NeverBoundFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(ValidDataCollector)
        {
            ["IamKey:DataCollector:DisableChallengeResourceVerification"] = "true",
            ["IamKey:DataCollector:MaxPostBytes"] = "10",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Azure.Core.TokenCredential>(new Azure.Identity.ClientSecretCredential("tenant", "client", "not-used"));
        services.AddReportDelivery(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DataCollectorOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith("IamKey:DataCollector:DisableChallengeResourceVerification is not a known setting", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("IamKey:DataCollector:MaxPostBytes is not a known setting", StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, string key, string? value) =>
        new(settings) { [key] = value };

    private static ServiceProvider Validate(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Azure.Core.TokenCredential>(new Azure.Identity.ClientSecretCredential("tenant", "client", "not-used"));
        services.AddReportDelivery(configuration);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }
}
