using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text.Json;
using Azure.Core.Diagnostics;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.IntegrationTests.EndToEnd;

/// <summary>
/// The whole product path with nothing of ours replaced: the real <c>ManagedIdentityCredential</c> (App Service
/// protocol, from <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c>) gets the Entra token, the AWS emulator's STS trades it
/// (and chains into member accounts), the IAM client collects, and the sink delivers to the loopback workspace, reading
/// the workspace key from Key Vault over HTTPS with its bearer challenge. Every log line (ours and the Azure SDK's
/// event source) is captured and searched for every secret handed out on the way.
/// </summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task TimerRun_ShouldDeliverTheExactInventoryToTheDataCollector_WithoutLeakingAnySecret()
    {
        // Arrange
        await using var world = await World.StartAsync(SinkMode.DataCollector);

        // Act
        var result = await world.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert: the run, the ground truth, and every delivered row byte for byte.
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.All(result.Accounts, summary => Assert.Equal("Succeeded", summary.Status));
        GroundTruth.AssertMatches(world.Aws.Scenario.ExpectedKeys(), result.Records, "live");
        AssertSameRows(result.Records, world.Azure.DataCollector.Records("AwsAccessKeyReport"), ReportJsonContext.Default.KeyRecord);
        AssertSameRows(result.Accounts, world.Azure.DataCollector.Records("AwsAccessKeyRunSummary"), ReportJsonContext.Default.RunSummary);
        Assert.Equal((result.Records.Count, 0), (result.KeyDelivery!.Delivered, result.KeyDelivery.Failed));
        Assert.Equal((result.Accounts.Count, 0), (result.SummaryDelivery!.Delivered, result.SummaryDelivery.Failed));

        // The real credential path ran: the identity endpoint was asked for the AWS audience and Key Vault's resource.
        var resources = world.Azure.ManagedIdentity.TokenRequests.Where(r => r.Status == 200).Select(r => r.Resource).ToHashSet();
        Assert.Contains(world.AppIdUri, resources);
        Assert.Contains(world.Azure.Options.KeyVaultResource, resources);
        Assert.Contains(world.Azure.KeyVault.Requests, r => r.Status == 401);
        Assert.True(world.Azure.KeyVault.SecretReads >= 1);

        world.AssertNoSecretIn(result);
    }

    [Fact]
    public async Task TimerRun_ShouldDeliverTheExactInventoryToLogsIngestion_WithoutLeakingAnySecret()
    {
        // Arrange
        await using var world = await World.StartAsync(SinkMode.LogsIngestion);

        // Act
        var result = await world.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert
        Assert.Equal(RunStatus.Succeeded, result.Status);
        GroundTruth.AssertMatches(world.Aws.Scenario.ExpectedKeys(), result.Records, "live");
        AssertSameRows(result.Records, world.Azure.LogsIngestion.Records("Custom-AwsAccessKeyReport"), ReportJsonContext.Default.KeyRecord);
        AssertSameRows(result.Accounts, world.Azure.LogsIngestion.Records("Custom-AwsAccessKeyRunSummary"), ReportJsonContext.Default.RunSummary);
        Assert.All(world.Azure.LogsIngestion.Posts, post => Assert.Equal("gzip", post.ContentEncoding));
        Assert.Contains(world.Azure.Options.LogsIngestionAudience, world.Azure.ManagedIdentity.TokenRequests.Select(r => r.Resource));

        world.AssertNoSecretIn(result);
    }

    [Theory]
    [InlineData(SinkMode.DataCollector)]
    [InlineData(SinkMode.LogsIngestion)]
    public async Task TimerRun_ShouldRedactThePartOfItsCredential_ThatTheWorkspaceEchoesInAnError(SinkMode sink)
    {
        // Arrange: every upload is refused (400, not retried) with a message quoting a middle slice of the request's
        // credential: the SharedKey signature, or the bearer token (no JWT header in the slice)
        await using var world = await World.StartAsync(sink);
        var echoed = new ConcurrentQueue<string>();
        var faults = sink == SinkMode.DataCollector ? world.Azure.DataCollector.Faults : world.Azure.LogsIngestion.Faults;
        faults.FailNextEchoingCredential(400, credential =>
        {
            var part = credential.Substring(credential.Length / 3, 24);
            echoed.Enqueue(part);
            return part;
        }, count: 1000);

        // Act
        var result = await world.Job.RunAsync(new RunRequest(RunTrigger.Timer)).WaitAsync(TimeSpan.FromMinutes(2));

        // Assert: the run fails visibly, and not one run of 8 characters of what was echoed is anywhere
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.All(result.Accounts, a => Assert.Equal(("Failed", "KeyRecordsNotDelivered"), (a.Status, a.ErrorCode)));
        Assert.Equal((result.KeysCollected, 0), (result.KeyDelivery!.Failed, result.KeyDelivery.Delivered));
        Assert.NotEmpty(echoed);
        var visible = string.Join('\n', result.Accounts.Select(a => a.ErrorMessage).Append(result.KeyDelivery.Error).Append(result.SummaryDelivery?.Error).Append(world.Logs.AllText));
        Assert.Contains("[redacted", visible, StringComparison.Ordinal);
        foreach (var part in echoed.Distinct())
        {
            for (var i = 0; i + 8 <= part.Length; i++)
            {
                Assert.False(visible.Contains(part.Substring(i, 8), StringComparison.Ordinal), $"'{part.Substring(i, 8)}' of the echoed '{part}' is visible");
            }
        }
    }

    /// <summary>What the workspace stored is exactly what the run produced: same rows, same JSON, nothing lost or duplicated.</summary>
    private static void AssertSameRows<T>(IReadOnlyList<T> produced, IReadOnlyList<JsonElement> delivered, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        Assert.NotEmpty(produced);
        var expected = produced.Select(row => JsonSerializer.Serialize(row, typeInfo)).Order(StringComparer.Ordinal).ToList();
        var actual = delivered.Select(row => JsonSerializer.Serialize(row)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
    }

    /// <summary>The AWS emulator, the Azure fakes and the app's own composition root, as the Function host builds it.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly EnvironmentVariableScope _environment;
        private readonly AzureEventSourceListener _sdkListener;
        private readonly ConcurrentQueue<string> _sdkLog;

        private World(AwsEmulatorServer aws, AzureFakes azure, IHost host, LogCapture logs, EnvironmentVariableScope environment, AzureEventSourceListener sdkListener, ConcurrentQueue<string> sdkLog, string appIdUri)
        {
            Aws = aws;
            Azure = azure;
            _host = host;
            Logs = logs;
            _environment = environment;
            _sdkListener = sdkListener;
            _sdkLog = sdkLog;
            AppIdUri = appIdUri;
        }

        public AwsEmulatorServer Aws { get; }

        public AzureFakes Azure { get; }

        public LogCapture Logs { get; }

        public string AppIdUri { get; }

        public ReportJob Job => _host.Services.GetRequiredService<ReportJob>();

        public static async Task<World> StartAsync(SinkMode sink)
        {
            // Fresh audiences per test: Azure.Identity caches managed-identity tokens process-wide per resource.
            var unique = Guid.NewGuid().ToString("N");
            var azure = await AzureFakes.StartAsync(new AzureFakesOptions
            {
                KeyVaultResource = $"https://e2e{unique}.vault.azure.net",
                LogsIngestionAudience = $"https://e2e{unique}.monitor.azure.com",
            });
            var appId = Guid.NewGuid().ToString();
            var scenario = ScenarioGenerator.Generate(
                new ScenarioGeneratorSettings
                {
                    Accounts = 3,
                    UsersPerAccount = 25,
                    Seed = 5,
                    RootKeyShare = 1.0,
                    TenantId = azure.Options.TenantId,
                    AppId = appId,
                    Subject = azure.Options.PrincipalId,
                },
                TimeProvider.System.GetUtcNow());
            var aws = await AwsEmulatorServer.StartAsync(scenario);

            var environment = await EnvironmentVariableScope.SetAsync(azure.EnvironmentVariables);
            var sdkLog = new ConcurrentQueue<string>();
            var sdkListener = new AzureEventSourceListener((_, message) => sdkLog.Enqueue(message), EventLevel.Verbose);
            var logs = new LogCapture();

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddConfiguration(EmulatedAws.Configuration(aws, azure.Settings(sink)));
            builder.Configuration.AddInMemoryCollection(azure.EnvironmentVariables);
            builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
            builder.Services.AddIamKeyReporting(builder.Configuration);
            azure.ConfigureServices(builder.Services);
            var host = builder.Build();
            await host.StartAsync();
            return new World(aws, azure, host, logs, environment, sdkListener, sdkLog, $"api://{appId}");
        }

        /// <summary>No workspace key, Entra token, AWS secret key or session token in any log, record, summary or error.</summary>
        public void AssertNoSecretIn(RunResult result)
        {
            var secrets = Azure.DataCollector.AllKeys.Select(s => ("workspace key", s))
                .Concat(Azure.ManagedIdentity.IssuedTokens.Select(s => ("Entra token", s)))
                .Concat(Aws.IssuedSecrets.Select(s => ("AWS secret key or session token", s)))
                .ToList();
            Assert.True(Aws.IssuedSecrets.Count() >= 2 * Aws.Scenario.Accounts.Count, "every account should have had an STS session");
            Assert.NotEmpty(Azure.ManagedIdentity.IssuedTokens);
            var output = string.Join(
                '\n',
                Logs.AllText,
                string.Join('\n', _sdkLog),
                JsonSerializer.Serialize(result.Records, ReportJsonContext.Default.IReadOnlyListKeyRecord),
                JsonSerializer.Serialize(result.Accounts, ReportJsonContext.Default.IReadOnlyListRunSummary),
                result.KeyDelivery?.Error,
                result.SummaryDelivery?.Error);
            Assert.NotEmpty(Logs.AllText);
            Assert.NotEmpty(_sdkLog);
            var leaked = secrets.Where(secret => output.Contains(secret.Item2, StringComparison.Ordinal)).Select(secret => secret.Item1).ToList();
            Assert.True(leaked.Count == 0, $"{leaked.Count} secret(s) appeared in the output (kinds: {string.Join(", ", leaked.Distinct())})");
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            _sdkListener.Dispose();
            _environment.Dispose();
            await Aws.DisposeAsync();
            await Azure.DisposeAsync();
        }
    }
}
