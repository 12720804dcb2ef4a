using System.Text.Json;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.IntegrationTests.Delivery;

/// <summary>
/// The recovery pass end to end (issue 21): the emulated organisation, the real job and both real sinks against the
/// Azure fakes. Each test asserts the run's exact counts and the final state of the fake workspace: every key row
/// once, or an exact shortfall.
/// </summary>
public sealed class RecoveryPassTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("iamkeys-recovery-").FullName;

    [Fact]
    public async Task RunAsync_ShouldDeliverTheFirstAccountsRows_AndWriteItsSnapshot_WhenKeyVaultFailedForThatAccountOnly()
    {
        // Arrange: Key Vault fails every attempt (IamKey:Delivery:MaxAttempts 3) of the first account's key read only.
        var scenario = EmulatedAws.Generate(accounts: 3, users: 12, seed: 31);
        await using var azure = await AzureFakes.StartAsync();
        azure.KeyVault.Faults.FailNext(500, count: 3);
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: History(), azure: azure);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert: one account's rows failed their first send and were delivered once by the recovery pass, with the key
        // another account's delivery had read (one secret read in all); its summary says so, and its snapshot is written.
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var recovered = Assert.Single(result.Accounts, a => a.ErrorCode == AccountPass.KeysRecoveredCode);
        Assert.Equal("Succeeded", recovered.Status);
        Assert.Equal($"{recovered.KeysReported} of the account's {recovered.KeysReported} key records failed their first send and were delivered by the run's recovery pass.", recovered.ErrorMessage);
        var keys = result.KeyDelivery!;
        Assert.Equal((result.KeysCollected, result.KeysCollected, 0, recovered.KeysReported, 1), (keys.Records, keys.Delivered, keys.Failed, keys.Recovered, keys.RecoveredBatches));
        Assert.Equal((1, 1, false), (result.RecoveredBatches, result.Recovery!.Batches, result.Recovery.DeadlineReached));
        Assert.Equal((3, 1), (azure.KeyVault.Faults.Injected, azure.KeyVault.SecretReads));

        var workspace = new Workspace(azure, SinkMode.DataCollector);
        workspace.AssertKeysExactly(result.Records);
        Assert.Equal(result.Accounts.Select(a => (a.AccountId, a.Status, a.ErrorCode)).Order(), workspace.Summaries().Order());
        Assert.All(scenario.Accounts, a => Assert.True(File.Exists(SnapshotPath(a.AccountId)), $"no snapshot for {a.AccountId}"));
    }

    [Theory]
    [InlineData(SinkMode.DataCollector)]
    [InlineData(SinkMode.LogsIngestion)]
    public async Task RunAsync_ShouldRecoverABatch_ThatFailedFourTimes(SinkMode sink)
    {
        // Arrange: four attempts per batch; the first key batch of the run fails all four (503).
        var scenario = EmulatedAws.Generate(accounts: 3, users: 10, seed: 32);
        await using var azure = await AzureFakes.StartAsync();
        var workspace = new Workspace(azure, sink);
        workspace.Faults.FailNext(503, count: 4);
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: Settings(sink, ("IamKey:Delivery:MaxAttempts", "4")), azure: azure);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var recovered = Assert.Single(result.Accounts, a => a.ErrorCode == AccountPass.KeysRecoveredCode);
        Assert.Equal((result.KeysCollected, 0, recovered.KeysReported, 1), (result.KeyDelivery!.Delivered, result.KeyDelivery.Failed, result.KeyDelivery.Recovered, result.RecoveredBatches));
        Assert.Equal(4, workspace.Statuses().Count(s => s == 503));
        workspace.AssertKeysExactly(result.Records);
        Assert.Equal(3, workspace.Summaries().Count);
    }

    [Theory]
    [InlineData(SinkMode.DataCollector)]
    [InlineData(SinkMode.LogsIngestion)]
    public async Task RunAsync_ShouldDeliverTheSummaries_WhenTheirBatchFailsItsFirstAttempts(SinkMode sink)
    {
        // Arrange: the summary batch fails its three attempts and the first of the recovery pass.
        var scenario = EmulatedAws.Generate(accounts: 3, users: 8, seed: 33);
        await using var azure = await AzureFakes.StartAsync();
        var workspace = new Workspace(azure, sink);
        workspace.Faults.FailMatching(r => r.Table == workspace.SummaryTable, 503, count: 4);
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: Settings(sink), azure: azure);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert: the summaries arrived, once, and none of them claims a delivery failure.
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var summaries = result.SummaryDelivery!;
        Assert.Equal((3, 3, 0, 3, 1), (summaries.Records, summaries.Delivered, summaries.Failed, summaries.Recovered, summaries.RecoveredBatches));
        Assert.Equal(4, workspace.Faults.MatchedFaults);
        Assert.Equal(result.Accounts.Select(a => (a.AccountId, "Succeeded", (string?)null)).Order(), workspace.Summaries().Order());
        workspace.AssertKeysExactly(result.Records);
        Assert.Equal((result.KeysCollected, 0, 0), (result.KeyDelivery!.Delivered, result.KeyDelivery.Failed, result.KeyDelivery.Recovered));
    }

    [Theory]
    [InlineData(SinkMode.DataCollector)]
    [InlineData(SinkMode.LogsIngestion)]
    public async Task RunAsync_ShouldEndWithinItsBudget_WithAnExactShortfall_WhenAnOutageOutlastsIt(SinkMode sink)
    {
        // Arrange: a 4-second run budget; one account's key rows are refused (503) for longer than that.
        var scenario = EmulatedAws.Generate(accounts: 3, users: 10, seed: 34);
        var victim = scenario.Accounts[1].AccountId;
        await using var azure = await AzureFakes.StartAsync();
        var workspace = new Workspace(azure, sink);
        workspace.Faults.FailMatching(r => r.Table == workspace.KeyTable && r.Body().Contains($"\"AccountId\":\"{victim}\"", StringComparison.Ordinal), 503, count: int.MaxValue);
        var settings = Settings(sink, ("IamKey:Delivery:RunTimeBudget", "00:00:04")).Concat(History()).ToDictionary();
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: settings, azure: azure);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert: the run stopped at its budget (bounded generously), the victim's rows are exactly what is missing, every
        // other row and every summary arrived, and only the victim keeps its old (here: no) snapshot.
        Assert.True(result.Duration < TimeSpan.FromSeconds(4) + TimeSpan.FromSeconds(3), $"the run took {result.Duration}");
        Assert.True(result.Recovery!.DeadlineReached);
        Assert.True(result.Recovery.Rounds >= 2, $"{result.Recovery.Rounds} rounds");
        Assert.Equal(RunStatus.Failed, result.Status);
        var lost = result.Accounts.Single(a => a.AccountId == victim);
        Assert.Equal(("Failed", AccountPass.KeysNotDeliveredCode), (lost.Status, lost.ErrorCode));
        Assert.StartsWith($"{lost.KeysReported} of the account's {lost.KeysReported} key records were not delivered", lost.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal((result.KeysCollected, result.KeysCollected - lost.KeysReported, lost.KeysReported, 0), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed, result.RecoveredBatches));
        workspace.AssertKeysExactly([.. result.Records.Where(r => r.AccountId != victim)]);
        Assert.Equal(result.Accounts.Select(a => (a.AccountId, a.Status, a.ErrorCode)).Order(), workspace.Summaries().Order());
        Assert.Equal((3, 0), (result.SummaryDelivery!.Delivered, result.SummaryDelivery.Failed));
        Assert.All(scenario.Accounts, a => Assert.Equal(a.AccountId != victim, File.Exists(SnapshotPath(a.AccountId))));
    }

    [Fact]
    public async Task RunAsync_ShouldResendOnlyTheLogsIngestionRequestThatFailed_WhenTheAccountsOtherRequestsWereAccepted()
    {
        // Arrange: 2,000-byte requests, so an account's rows take several; the request holding one user fails its three attempts.
        var scenario = EmulatedAws.Generate(accounts: 2, users: 30, seed: 35);
        var account = scenario.Accounts[1];
        var user = account.Users.First(u => u.AccessKeys.Count > 0).UserName;
        await using var azure = await AzureFakes.StartAsync();
        azure.LogsIngestion.Options.MaxRequestBytes = 2000;
        azure.LogsIngestion.Faults.FailMatching(r => r.Table == "Custom-AwsAccessKeyReport" && r.Body().Contains($"\"UserName\":\"{user}\"", StringComparison.Ordinal), 500, count: 3);
        await using var aws = await EmulatedAws.StartAsync(
            scenario,
            settings: Settings(SinkMode.LogsIngestion),
            azure: azure,
            configure: services => services.PostConfigure<LogsIngestionOptions>(o => o.MaxRequestBytes = 2000));

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true));

        // Assert: part of the account's rows arrived with the first send; only the failed request's were sent again.
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var summary = result.Accounts.Single(a => a.AccountId == account.AccountId);
        var recovered = result.KeyDelivery!.Recovered;
        Assert.InRange(recovered, 1, summary.KeysReported - 1);
        Assert.Equal(AccountPass.KeysRecoveredCode, summary.ErrorCode);
        Assert.Equal($"{recovered} of the account's {summary.KeysReported} key records failed their first send and were delivered by the run's recovery pass.", summary.ErrorMessage);
        new Workspace(azure, SinkMode.LogsIngestion).AssertKeysExactly(result.Records);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private Dictionary<string, string?> History() => new()
    {
        ["IamKey:History:Enabled"] = "true",
        ["IamKey:History:StateDirectory"] = _state,
    };

    private static Dictionary<string, string?> Settings(SinkMode sink, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["IamKey:Delivery:Sink"] = sink.ToString() };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private string SnapshotPath(string accountId) => Path.Combine(_state, "aws", $"{accountId}.json");

    /// <summary>The fake workspace behind one sink: its tables, its faults and what it accepted.</summary>
    private sealed class Workspace(AzureFakes azure, SinkMode sink)
    {
        private bool DataCollector => sink == SinkMode.DataCollector;

        public string KeyTable => DataCollector ? "AwsAccessKeyReport" : "Custom-AwsAccessKeyReport";

        public string SummaryTable => DataCollector ? "AwsAccessKeyRunSummary" : "Custom-AwsAccessKeyRunSummary";

        public FaultKnobs Faults => DataCollector ? azure.DataCollector.Faults : azure.LogsIngestion.Faults;

        public IReadOnlyList<int> Statuses() => DataCollector
            ? [.. azure.DataCollector.Posts.Select(p => p.Status)]
            : [.. azure.LogsIngestion.Posts.Select(p => p.Status)];

        /// <summary>(account, status, error code) of every summary row the workspace holds.</summary>
        public List<(string, string, string?)> Summaries() => [.. Rows(SummaryTable).Select(r => (Text(r, "AccountId")!, Text(r, "Status")!, Text(r, "ErrorCode")))];

        /// <summary>The workspace holds exactly <paramref name="expected"/>: each once, nothing else.</summary>
        public void AssertKeysExactly(IReadOnlyList<KeyRecord> expected)
        {
            var stored = Rows(KeyTable).Select(r => $"{Text(r, "AccountId")}|{Text(r, "UserName")}|{r.GetProperty("KeySlot").GetInt32()}").ToList();
            Assert.Equal(expected.Select(r => $"{r.AccountId}|{r.UserName}|{r.KeySlot}").Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        }

        private IReadOnlyList<JsonElement> Rows(string table) => DataCollector ? azure.DataCollector.Records(table) : azure.LogsIngestion.Records(table);

        private static string? Text(JsonElement row, string name) =>
            row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
