using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests;

public class ServiceCollectionExtensionsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["IamKey:Aws:RoleArn"] = "arn:aws:iam::111122223333:role/IamKeyFuncReader",
        ["IamKey:Aws:Audience"] = "api://0a1b2c3d-0000-4000-8000-00000000abcd",
        ["IamKey:Aws:MemberAccountIds"] = "444455556666,777788889999",
        ["IamKey:Collection:Mode"] = "Report",
        ["IamKey:Findings:RotationDays"] = "60",
        ["IamKey:Delivery:Sink"] = "DataCollector",
        ["IamKey:DataCollector:WorkspaceId"] = "6a7b8c9d-0000-4000-8000-000000000001",
        ["IamKey:DataCollector:KeyVaultUri"] = "https://kv-iamkeys.vault.azure.net/",
        ["IamKey:Identity:ManagedIdentityClientId"] = "6a7b8c9d-0000-4000-8000-000000000002",
        ["AzureWebJobsStorage:accountName"] = "stiamkeys", // identity-based host storage, as the Bicep sets it
    };

    [Fact]
    public async Task AddIamKeyReporting_ShouldResolveTheWholeGraph_WhenTheConfigurationIsCompleteAndValid()
    {
        // Arrange
        using var host = Build(Valid);

        // Act
        await host.StartAsync();

        // Assert
        var services = host.Services;
        Assert.NotNull(services.GetRequiredService<ReportJob>());
        Assert.Same(services.GetRequiredService<ReportJob>(), services.GetRequiredService<ReportJob>());
        Assert.IsType<DataCollectorSink>(services.GetRequiredService<IReportSink>());
        Assert.Equal(3, services.GetRequiredService<AwsSessionProvider>().Sessions.Count);
        Assert.NotNull(services.GetRequiredService<AccountCollector>());
        Assert.NotNull(services.GetRequiredService<IamClientFactory>());
        Assert.NotNull(services.GetRequiredService<FindingsEvaluator>());
        Assert.Equal(FreshnessMode.Report, services.GetRequiredService<IOptions<CollectionOptions>>().Value.Mode);
        Assert.Equal(60, services.GetRequiredService<IOptions<FindingsOptions>>().Value.RotationDays);
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.IsType<BlobSnapshotStore>(services.GetRequiredService<ISnapshotStore>());
        Assert.True(services.GetRequiredService<KeyHistory>().Enabled);
        Assert.Equal(new Uri("https://stiamkeys.blob.core.windows.net/"), services.GetRequiredService<IOptions<HistoryOptions>>().Value.BlobServiceUri);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_ShouldFailNamingBothPlaces_WhenHistoryHasNowhereToKeepItsSnapshots()
    {
        // Arrange
        using var host = Build(new(Valid) { ["AzureWebJobsStorage:accountName"] = null });

        // Act
        var failures = await StartFailuresAsync(host);

        // Assert
        var failure = Assert.Single(failures);
        Assert.Contains("AzureWebJobsStorage", failure, StringComparison.Ordinal);
        Assert.Contains("IamKey:History:StateDirectory", failure, StringComparison.Ordinal);
        Assert.Contains("IamKey:History:Enabled=false", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage", "not a connection string", "AzureWebJobsStorage is not a storage connection string")]
    [InlineData("AzureWebJobsStorage:blobServiceUri", "http://stiamkeys.blob.core.windows.net/", "AzureWebJobsStorage__blobServiceUri must be an absolute https URI")]
    public async Task StartAsync_ShouldFailNamingTheHostStorageSetting_WhenItCannotHoldSnapshots(string setting, string value, string message)
    {
        // Arrange
        using var host = Build(new(Valid) { ["AzureWebJobsStorage:accountName"] = null, [setting] = value });

        // Act
        var failures = await StartFailuresAsync(host);

        // Assert
        Assert.Contains(failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddIamKeyReporting_ShouldKeepSnapshotsInAFolder_WhenStateDirectoryIsSet_AndNoneWhenHistoryIsOff()
    {
        // Arrange
        using var folder = Build(new(Valid) { ["AzureWebJobsStorage:accountName"] = null, ["IamKey:History:StateDirectory"] = Path.GetTempPath() });
        using var off = Build(new(Valid) { ["AzureWebJobsStorage:accountName"] = null, ["IamKey:History:Enabled"] = "false" });

        // Act
        await folder.StartAsync();
        await off.StartAsync();

        // Assert
        Assert.IsType<FolderSnapshotStore>(folder.Services.GetRequiredService<ISnapshotStore>());
        Assert.False(off.Services.GetRequiredService<KeyHistory>().Enabled);
        await folder.StopAsync();
        await off.StopAsync();
    }

    [Fact]
    public async Task AddIamKeyReporting_ShouldBuildAJobWithoutASink_WhenDeliveryIsNone()
    {
        // Arrange
        using var host = Build(new(Valid) { ["IamKey:Delivery:Sink"] = "None", ["IamKey:DataCollector:WorkspaceId"] = null });

        // Act
        await host.StartAsync();

        // Assert
        Assert.NotNull(host.Services.GetRequiredService<ReportJob>());
        await host.StopAsync();
    }

    [Theory]
    [InlineData("IamKey:Aws:RoleArn", "arn:aws:iam::1234:user/bob")]
    [InlineData("IamKey:Aws:Audience", "https://example.com")]
    [InlineData("IamKey:Aws:MemberAccountIds", "12345")]
    [InlineData("IamKey:Collection:MaxParallelAccounts", "0")]
    [InlineData("IamKey:Collection:PageSize", "1001")]
    [InlineData("IamKey:Collection:RetryBaseDelay", "00:00:59")]
    [InlineData("IamKey:Findings:RotationDays", "0")]
    [InlineData("IamKey:Findings:NeverUsedGraceDays", "-1")]
    [InlineData("IamKey:Delivery:KeyRecordTable", "not a table")]
    [InlineData("IamKey:DataCollector:WorkspaceId", "not-a-guid")]
    [InlineData("IamKey:DataCollector:KeyVaultUri", "http://kv.example.com/")]
    [InlineData("IamKey:Identity:ManagedIdentityClientId", "not-a-guid")]
    [InlineData("IamKey:History:RotationStuckDays", "0")]
    [InlineData("IamKey:History:ContainerName", "Not_A_Container")]
    [InlineData("IamKey:Delivery:KeyEventTable", "AwsAccessKeyReport")]
    public async Task StartAsync_ShouldFailNamingTheSetting_WhenOneSettingIsInvalid(string setting, string value)
    {
        // Arrange
        using var host = Build(new(Valid) { [setting] = value });

        // Act
        var failures = await StartFailuresAsync(host);

        // Assert
        Assert.Contains(failures, f => f.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_ShouldReportEachProblemOnce_WhenPartsRegisterTheirOwnOptionsToo()
    {
        // Arrange
        using var host = Build(new(Valid) { ["IamKey:Aws:RoleArn"] = "nonsense" });

        // Act
        var failures = await StartFailuresAsync(host);

        // Assert
        Assert.Single(failures, f => f.Contains("IamKey:Aws:RoleArn must look like", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_ShouldValidateTheLogsIngestionSettings_WhenThatSinkIsChosen()
    {
        // Arrange
        using var host = Build(new(Valid) { ["IamKey:Delivery:Sink"] = "LogsIngestion", ["IamKey:LogsIngestion:Endpoint"] = "https://dce.example.com" });

        // Act
        var failures = await StartFailuresAsync(host);

        // Assert
        Assert.Contains(failures, f => f.Contains("IamKey:LogsIngestion:DcrImmutableId", StringComparison.Ordinal));
    }

    /// <summary>Every validation failure <c>StartAsync</c> reports (one options class: the exception; several: an aggregate of them).</summary>
    private static async Task<IReadOnlyList<string>> StartFailuresAsync(IHost host)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        var all = ex is AggregateException aggregate ? aggregate.InnerExceptions : [ex];
        return [.. all.Select(e => Assert.IsType<OptionsValidationException>(e)).SelectMany(e => e.Failures)];
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddIamKeyReporting(builder.Configuration);
        return builder.Build();
    }
}
