using System.Text.Json;
using System.Text.Json.Nodes;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;

namespace IamKeyFunc.IntegrationTests.History;

/// <summary>
/// Change events end to end: the sample organization in the loopback emulator is changed between runs (keys created,
/// deleted, deactivated, reactivated, a rotation left half done), and the job compares each account with the snapshot
/// it kept in a state folder.
/// </summary>
public sealed class KeyHistoryTests : IDisposable
{
    private const string Security = "111122223333";
    private const string Prod = "444455556666";
    private const string Sandbox = "555566667777";
    private readonly string _directory = Directory.CreateTempSubdirectory("iamkeys-history-").FullName;

    private string StateDirectory => Path.Combine(_directory, "state");

    [Fact]
    public async Task RunAsync_ShouldEmitExactlyTheChangesBetweenRuns_NoneOnTheFirstAndNoneTwice()
    {
        // Arrange
        var now = TimeProvider.System.GetUtcNow();
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(now), settings: HistorySettings());

        // Act 1: the baseline
        var run1 = await RunAsync(aws, "run1.jsonl");

        // Assert 1
        Assert.Equal(RunStatus.PartiallySucceeded, run1.Result.Status); // the legacy account is denied
        Assert.Empty(run1.Result.Events);
        Assert.Equal((0, 0, 0), (run1.Result.EventDelivery!.Records, run1.Result.EventDelivery.Delivered, run1.Result.EventDelivery.Failed));
        Assert.Equal([Security, Prod, Sandbox], SnapshotFiles());

        // Act 2: alice starts a rotation, legacy-backup's key is deleted, terraform's deactivated; dev-test still uses its old key
        var alicesNewKey = "AKIAHISTORYTEST00001";
        aws.Emulator.ChangeScenario(s =>
        {
            User(s, Prod, "alice").AccessKeys.Add(new EmulatorAccessKey { AccessKeyId = alicesNewKey, Status = "Active", CreateDate = Whole(now) });
            User(s, Prod, "legacy-backup").AccessKeys.Clear();
            User(s, Prod, "terraform").AccessKeys[0].Status = "Inactive";
            User(s, Sandbox, "dev-test").KeysInSlotOrder().First().LastUsed = new KeyLastUsed { Date = Whole(now.AddHours(-1)), Region = "us-west-2", ServiceName = "lambda" };
        });
        var run2 = await RunAsync(aws, "run2.jsonl");

        // Assert 2
        Assert.Equal(
            [
                $"{Prod}|alice|KeyCreated|-|Active",
                $"{Prod}|legacy-backup|KeyDeleted|Active|-",
                $"{Prod}|terraform|KeyDeactivated|Active|Inactive",
                $"{Sandbox}|dev-test|RotationStuck|Active|Active",
            ],
            Describe(run2.Result.Events));
        Assert.All(run2.Result.Events, e => Assert.Equal((run2.Result.RunId, run1.Result.RunId), (e.RunId, e.PreviousRunId)));
        Assert.Equal(KeyIdFormatter.Sha256Hex(alicesNewKey), run2.Result.Events.Single(e => e.UserName == "alice").AccessKeyIdHash);
        var stuck = run2.Result.Events.Single(e => e.EventType == KeyEventTypes.RotationStuck);
        var devTest = aws.Scenario.Account(Sandbox).Users.Single(u => u.UserName == "dev-test").KeysInSlotOrder().ToList();
        Assert.Equal((KeyIdFormatter.Sha256Hex(devTest[0].AccessKeyId), KeyIdFormatter.Sha256Hex(devTest[1].AccessKeyId)), (stuck.AccessKeyIdHash, stuck.NewerAccessKeyIdHash));
        Assert.Equal((4, 4, 0), (run2.Result.EventDelivery!.Records, run2.Result.EventDelivery.Delivered, run2.Result.EventDelivery.Failed));
        Assert.Equal(Describe(run2.Result.Events), run2.EventLines);
        Assert.DoesNotContain(alicesNewKey, run2.EventJson, StringComparison.Ordinal);
        Assert.DoesNotContain(alicesNewKey, await File.ReadAllTextAsync(SnapshotPath(Prod)), StringComparison.Ordinal);
        Assert.Contains(KeyIdFormatter.Sha256Hex(alicesNewKey), await File.ReadAllTextAsync(SnapshotPath(Prod)), StringComparison.Ordinal);

        // Act 3: terraform's key comes back; the sandbox changes but fails to be read
        aws.Emulator.ChangeScenario(s =>
        {
            User(s, Prod, "terraform").AccessKeys[0].Status = "Active";
            User(s, Sandbox, "dave").AccessKeys.Add(new EmulatorAccessKey { AccessKeyId = "AKIAHISTORYTEST00002", Status = "Active", CreateDate = Whole(now) });
        });
        var sandboxSnapshot = await File.ReadAllBytesAsync(SnapshotPath(Sandbox));
        aws.Emulator.Options.Faults.FailNext("ListUsers", 100, "AccessDenied", 403, accountId: Sandbox);
        var run3 = await RunAsync(aws, "run3.jsonl");

        // Assert 3: dev-test's rotation is still stuck but not reported again; the failed sandbox keeps its snapshot
        Assert.Equal("Failed", run3.Result.Accounts.Single(a => a.AccountId == Sandbox).Status);
        Assert.Equal([$"{Prod}|terraform|KeyActivated|Inactive|Active"], Describe(run3.Result.Events));
        Assert.Equal(sandboxSnapshot, await File.ReadAllBytesAsync(SnapshotPath(Sandbox)));

        // Act 4: nothing changes in prod; the sandbox can be read again
        aws.Emulator.Options.Faults.Clear();
        var run4 = await RunAsync(aws, "run4.jsonl");

        // Assert 4: only the sandbox change held back by the failure, compared with its run-2 snapshot
        var created = Assert.Single(run4.Result.Events);
        Assert.Equal($"{Sandbox}|dave|KeyCreated|-|Active", Describe([created]).Single());
        Assert.Equal(run2.Result.RunId, created.PreviousRunId);

        // Act 5: a rerun with no change at all
        var run5 = await RunAsync(aws, "run5.jsonl");

        // Assert 5
        Assert.Empty(run5.Result.Events);
        Assert.Empty(run5.EventLines);
    }

    [Fact]
    public async Task RunAsync_ShouldReportARotationCompletedBetweenRuns_AsTheOldKeyDeletedAndTheNewOneCreated()
    {
        // Arrange: a baseline, then alice replaces her only key (same slot, new ID) and ci-deploy drops its inactive key
        var now = TimeProvider.System.GetUtcNow();
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(now), settings: HistorySettings());
        var baseline = await RunAsync(aws, "baseline.jsonl");
        var alicesOldKey = User(aws.Scenario, Prod, "alice").AccessKeys.Single().AccessKeyId;
        const string alicesNewKey = "AKIAHISTORYTEST00003";
        aws.Emulator.ChangeScenario(s =>
        {
            var alice = User(s, Prod, "alice");
            alice.AccessKeys.Clear();
            alice.AccessKeys.Add(new EmulatorAccessKey { AccessKeyId = alicesNewKey, Status = "Active", CreateDate = Whole(now) });
            User(s, Prod, "ci-deploy").AccessKeys.RemoveAll(k => k.Status == "Inactive");
        });

        // Act
        var rotated = await RunAsync(aws, "rotated.jsonl");
        var rerun = await RunAsync(aws, "rerun.jsonl");

        // Assert
        Assert.Empty(baseline.Result.Events);
        Assert.Equal(
            [$"{Prod}|alice|KeyCreated|-|Active", $"{Prod}|alice|KeyDeleted|Active|-", $"{Prod}|ci-deploy|KeyDeleted|Inactive|-"],
            Describe(rotated.Result.Events));
        var alice = rotated.Result.Events.Where(e => e.UserName == "alice").ToDictionary(e => e.EventType, e => e.AccessKeyIdHash);
        Assert.Equal(KeyIdFormatter.Sha256Hex(alicesOldKey), alice[KeyEventTypes.KeyDeleted]);
        Assert.Equal(KeyIdFormatter.Sha256Hex(alicesNewKey), alice[KeyEventTypes.KeyCreated]);
        Assert.DoesNotContain(rotated.Result.Events, e => e.EventType == KeyEventTypes.RotationStuck);
        Assert.Empty(rerun.Result.Events);
    }

    [Fact]
    public async Task RunAsync_ShouldKeepEverySnapshot_WhenTheDeliveryFailed_AndReportTheChangesOnTheNextRun()
    {
        // Arrange
        var now = TimeProvider.System.GetUtcNow();
        await using var azure = await AzureFakes.StartAsync();
        var settings = azure.Settings().Concat(HistorySettings()).ToDictionary();
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(now), settings: settings, azure: azure);
        var baseline = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer));
        aws.Emulator.ChangeScenario(s => User(s, Prod, "alice").AccessKeys.Clear());
        var snapshot = await File.ReadAllBytesAsync(SnapshotPath(Prod));

        // Act: prod's key records are refused, so nothing of this run may count as seen for prod (snapshots are kept per account)
        azure.DataCollector.Faults.FailMatching(r => r.Table == "AwsAccessKeyReport" && r.Body().Contains($"\"AccountId\":\"{Prod}\"", StringComparison.Ordinal), 400);
        var failed = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer));
        var afterFailure = await File.ReadAllBytesAsync(SnapshotPath(Prod));
        var next = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal(RunStatus.PartiallySucceeded, baseline.Status);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal([$"{Prod}|alice|KeyDeleted|Active|-"], Describe(failed.Events));
        Assert.Equal(snapshot, afterFailure);
        Assert.NotEqual(snapshot, await File.ReadAllBytesAsync(SnapshotPath(Prod)));
        Assert.Equal([$"{Prod}|alice|KeyDeleted|Active|-"], Describe(next.Events));
        Assert.Equal(baseline.RunId, next.Events.Single().PreviousRunId);

        var delivered = azure.DataCollector.Records("AwsAccessKeyEvents");
        Assert.Equal(2, delivered.Count); // the failed run's event went out too: delivery is at least once
        Assert.All(delivered, e => Assert.Equal("KeyDeleted", e.GetProperty("EventType").GetString()));
        Assert.Equal((1, 1, 0), (next.EventDelivery!.Records, next.EventDelivery.Delivered, next.EventDelivery.Failed));
    }

    [Fact]
    public async Task RunAsync_ShouldNeitherReadNorWriteState_WhenHistoryIsDisabled()
    {
        // Arrange
        var settings = HistorySettings();
        settings["IamKey:History:Enabled"] = "false";
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow()), settings: settings);

        // Act
        var result = await RunAsync(aws, "off.jsonl");

        // Assert
        Assert.Empty(result.Result.Events);
        Assert.Null(result.Result.EventDelivery);
        Assert.False(Directory.Exists(StateDirectory));
    }

    [Fact]
    public async Task RunAsync_ShouldWriteNoSnapshot_OnADryRun()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow()), settings: HistorySettings());

        // Act
        await aws.Job.RunAsync(new RunRequest(RunTrigger.Http, DryRun: true));

        // Assert
        Assert.Empty(SnapshotFiles());
    }

    [Fact]
    public async Task RunAsync_ShouldSetAsideAnUnusableSnapshot_WarnOnItsRow_AndStartItsNewBaseline()
    {
        // Arrange: a baseline, then prod's snapshot holds one key twice (what a listing with one key under two users
        // used to write) and alice's key is deactivated
        var now = TimeProvider.System.GetUtcNow();
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(now), settings: HistorySettings());
        var baseline = await RunAsync(aws, "baseline.jsonl");
        var prod = JsonNode.Parse(await File.ReadAllBytesAsync(SnapshotPath(Prod)))!;
        var keys = prod["Keys"]!.AsArray();
        keys.Add(keys[0]!.DeepClone());
        var broken = prod.ToJsonString();
        await File.WriteAllTextAsync(SnapshotPath(Prod), broken);
        aws.Emulator.ChangeScenario(s => User(s, Prod, "alice").AccessKeys[0].Status = "Inactive");

        // Act
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var second = await RunAsync(aws, "second.jsonl");
        var third = await RunAsync(aws, "third.jsonl");

        // Assert: prod is a first run again (its change is not reported), with the warning; nothing else is lost
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"took {watch.Elapsed}");
        Assert.Equal(RunStatus.PartiallySucceeded, second.Result.Status);
        Assert.Equal(
            [$"{Security}|Succeeded|", $"{Prod}|Succeeded|{KeyHistory.SetAsideCode}", $"{Sandbox}|Succeeded|", "777788889999|Failed|AccessDenied"],
            second.Result.Accounts.Select(a => $"{a.AccountId}|{a.Status}|{a.ErrorCode}"));
        var warning = second.Result.Accounts.Single(a => a.AccountId == Prod).ErrorMessage!;
        Assert.Contains($"The snapshot {SnapshotPath(Prod)} could not be used (key ", warning, StringComparison.Ordinal);
        Assert.Contains("is listed twice) and was moved to", warning, StringComparison.Ordinal);
        Assert.Contains("this run is the account's new baseline", warning, StringComparison.Ordinal);
        Assert.Contains(warning, aws.Logs.AllText, StringComparison.Ordinal);
        Assert.Equal(baseline.Result.KeysCollected, second.Result.KeysCollected);
        Assert.Empty(second.Result.Events);
        var aside = Assert.Single(Directory.EnumerateFiles(Path.Combine(StateDirectory, "aws"), $"{Prod}.json.unreadable-*"));
        Assert.Equal(broken, await File.ReadAllTextAsync(aside));
        Assert.Equal([Security, Prod, Sandbox], SnapshotFiles());

        // The next run compares prod with the new baseline again, without warning
        Assert.Equal([$"{Security}|", $"{Prod}|", $"{Sandbox}|"], third.Result.Accounts.Where(a => a.Status == "Succeeded").Select(a => $"{a.AccountId}|{a.ErrorCode}"));
        Assert.Empty(third.Result.Events);
    }

    [Fact]
    public async Task RunAsync_ShouldWarnOnEveryCollectedRow_WhenTheStateFolderCannotBeWritten()
    {
        // Arrange: the state folder would have to be made under a file
        var blocker = Path.Combine(_directory, "blocker");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var settings = HistorySettings();
        settings["IamKey:History:StateDirectory"] = Path.Combine(blocker, "state");
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow()), settings: settings);

        // Act
        var run = await RunAsync(aws, "run.jsonl");

        // Assert: the rows say so, as sent (the snapshots are written before the summaries)
        Assert.Equal(RunStatus.PartiallySucceeded, run.Result.Status);
        Assert.Equal(
            [$"{Security}|Succeeded|{KeyHistory.NotSavedCode}", $"{Prod}|Succeeded|{KeyHistory.NotSavedCode}", $"{Sandbox}|Succeeded|{KeyHistory.NotSavedCode}", "777788889999|Failed|AccessDenied"],
            run.Result.Accounts.Select(a => $"{a.AccountId}|{a.Status}|{a.ErrorCode}"));
        Assert.All(run.Result.Accounts.Where(a => a.Status == "Succeeded"), a => Assert.Contains("could not be written to the snapshot store Folder", a.ErrorMessage, StringComparison.Ordinal));
        Assert.Equal((3, 0, true), (run.Result.History!.Attempted, run.Result.History.Saved, run.Result.History.NoneWritten));
        var sent = (await File.ReadAllLinesAsync(Path.Combine(_directory, "run.jsonl")))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary")
            .Select(l => l.TryGetProperty("ErrorCode", out var code) ? code.GetString() : null);
        Assert.Equal(["AccessDenied", KeyHistory.NotSavedCode, KeyHistory.NotSavedCode, KeyHistory.NotSavedCode], sent.Order(StringComparer.Ordinal));
        Assert.Contains("3 of 3 account snapshots could not be written", aws.Logs.AllText, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Dictionary<string, string?> HistorySettings() => new()
    {
        ["IamKey:History:Enabled"] = "true",
        ["IamKey:History:StateDirectory"] = StateDirectory,
        ["IamKey:History:RotationStuckDays"] = "7",
    };

    private async Task<(RunResult Result, List<string> EventLines, string EventJson)> RunAsync(EmulatedAws aws, string file)
    {
        var path = Path.Combine(_directory, file);
        RunResult result;
        await using (var sink = new JsonlFileSink(path))
        {
            result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, Sink: sink));
        }

        var lines = (await File.ReadAllLinesAsync(path)).Where(l => JsonDocument.Parse(l).RootElement.GetProperty("table").GetString() == "AwsAccessKeyEvents").ToList();
        var events = lines.Select(l => JsonSerializer.Deserialize(l, ReportJsonContext.Default.KeyEvent)!);
        return (result, Describe(events), string.Join('\n', lines));
    }

    private static List<string> Describe(IEnumerable<KeyEvent> events) =>
        [.. events.Select(e => $"{e.AccountId}|{e.UserName}|{e.EventType}|{e.StatusBefore ?? "-"}|{e.StatusAfter ?? "-"}").Order(StringComparer.Ordinal)];

    private List<string> SnapshotFiles() => Directory.Exists(StateDirectory)
        ? [.. Directory.EnumerateFiles(StateDirectory, "*.json", SearchOption.AllDirectories).Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)]
        : [];

    private string SnapshotPath(string accountId) => Path.Combine(StateDirectory, "aws", $"{accountId}.json");

    private static EmulatorUser User(EmulatorScenario scenario, string accountId, string userName) =>
        scenario.Account(accountId).Users.Single(u => u.UserName == userName);

    private static DateTimeOffset Whole(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
