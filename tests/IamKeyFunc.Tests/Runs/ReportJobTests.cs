using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Runs;

public class ReportJobTests
{
    private const string A = "111111111111";
    private const string B = "222222222222";
    private const string C = "333333333333";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 9, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly ScriptedCollector _collector = new();
    private readonly RecordingSink _sink = new();
    private readonly ListLogger<ReportJob> _logger = new();

    [Fact]
    public async Task RunAsync_ShouldStampEveryRowWithARunIdFromTheStartTime()
    {
        // Arrange
        _collector.Returns(A, keys: 2);
        var job = Job(new CollectionOptions(), A);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Matches(RunId.Pattern, result.RunId);
        Assert.StartsWith("20260915T060000Z-", result.RunId, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow(), result.StartedAt);
        Assert.All(result.Records, r => Assert.Equal(result.RunId, r.RunId));
        var summary = Assert.Single(result.Accounts);
        Assert.Equal(result.RunId, summary.RunId);
        Assert.Equal("timer", summary.Trigger);
        Assert.Equal(_time.GetUtcNow(), summary.CollectedAt);
    }

    [Fact]
    public void RunIdCreate_ShouldDiffer_WhenTwoRunsStartInTheSameSecond()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => RunId.Create(_time.GetUtcNow())).ToHashSet();

        Assert.Equal(50, ids.Count);
    }

    [Fact]
    public async Task RunAsync_ShouldSummarizeEachAccountAndDeliverKeysThenSummaries_WhenAllSucceed()
    {
        // Arrange
        _collector.Returns(A, keys: 2, findings: 1).Returns(B, keys: 3);
        var job = Job(new CollectionOptions(), A, B);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Http));

        // Assert
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(["keys", "keys", "summaries"], _sink.Calls);
        Assert.Equal(5, _sink.Keys.Count);
        Assert.Equal(result.Accounts, _sink.Summaries);
        var a = result.Accounts[0];
        Assert.Equal((A, "alias-" + A, "Succeeded", 3, 2, 1, 7, 1), (a.AccountId, a.AccountAlias, a.Status, a.UsersScanned, a.KeysReported, a.FindingsCount, a.ApiCalls, a.ThrottledRetries));
        Assert.Equal(("aws", $"arn:aws:iam::{A}:role/IamKeyFuncReader", "live", "http"), (a.Partition, a.RoleArn, a.Mode, a.Trigger));
        Assert.Equal(AccountPass.CollectorVersion, a.CollectorVersion);
        Assert.False(string.IsNullOrEmpty(a.CollectorVersion));
        Assert.Equal(new[] { A, B }, result.Accounts.Select(s => s.AccountId));
        Assert.Equal((5, 5, 0), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed));
        Assert.Equal(2, result.SummaryDelivery!.Delivered);
    }

    [Fact]
    public async Task RunAsync_ShouldFailOnlyThatAccountWithItsAwsErrorCode_WhenOneAccountIsDenied()
    {
        // Arrange
        var denied = new IamException("User: arn:aws:sts::222222222222:assumed-role/x is not authorized to perform: iam:ListUsers", "AccessDenied", 403);
        _collector.Returns(A, keys: 2).Throws(B, new AccountCollectionException(B, new AccountCounts(0, 1, 0), "alias-b", denied)).Returns(C, keys: 1);
        var job = Job(new CollectionOptions(), A, B, C);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status);
        Assert.Equal(["Succeeded", "Failed", "Succeeded"], result.Accounts.Select(s => s.Status));
        var failed = result.Accounts[1];
        Assert.Equal("AccessDenied", failed.ErrorCode);
        Assert.Contains("not authorized to perform: iam:ListUsers", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal((1, 0, "alias-b"), (failed.ApiCalls, failed.KeysReported, failed.AccountAlias));
        Assert.Equal(3, _sink.Keys.Count);
        Assert.Equal(3, _sink.Summaries.Count);
    }

    [Fact]
    public async Task RunAsync_ShouldUseTheExceptionTypeAsErrorCode_WhenTheFailureHasNoServiceCode()
    {
        // Arrange
        _collector.Throws(A, new InvalidOperationException("boom\n  second line"));
        var job = Job(new CollectionOptions(), A);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Cli));

        // Assert
        var summary = Assert.Single(result.Accounts);
        Assert.Equal(("Failed", "InvalidOperationException", "boom second line"), (summary.Status, summary.ErrorCode, summary.ErrorMessage));
        Assert.Equal(RunStatus.Failed, result.Status);
    }

    [Fact]
    public async Task RunAsync_ShouldCollectOnlyTheRequestedAccountsAndSkipTheOthers()
    {
        // Arrange
        _collector.Returns(A, keys: 1).Returns(B, keys: 2).Returns(C, keys: 3);
        var job = Job(new CollectionOptions(), A, B, C);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Http, Accounts: [B]));

        // Assert
        Assert.Equal([B], _collector.Collected);
        Assert.Equal(["Skipped", "Succeeded", "Skipped"], result.Accounts.Select(s => s.Status));
        Assert.All(result.Records, r => Assert.Equal(B, r.AccountId));
        Assert.Equal(RunStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task RunAsync_ShouldRejectAnUnknownAccountBeforeCollecting_AndReleaseTheRunSlot()
    {
        // Arrange
        _collector.Returns(A, keys: 1);
        var job = Job(new CollectionOptions(), A);

        // Act
        var rejected = await job.RunAsync(new RunRequest(RunTrigger.Http, Accounts: ["999999999999"]));

        // Assert
        var error = Assert.Single(rejected.AccountErrors);
        Assert.StartsWith("Account(s) 999999999999 are not configured. Configured accounts: " + A, error, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, rejected.Status);
        Assert.Empty(rejected.Accounts);
        Assert.Empty(_sink.Calls);
        Assert.Empty(_collector.Collected);
        Assert.Null(job.RunningRunId);
        Assert.Equal(RunStatus.Succeeded, (await job.RunAsync(new RunRequest(RunTrigger.Http))).Status);
    }

    [Fact]
    public async Task RunAsync_ShouldReturnRecordsWithoutCallingTheSink_WhenDryRun()
    {
        // Arrange
        _collector.Returns(A, keys: 2);
        var job = Job(new CollectionOptions(), A);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Http, DryRun: true));

        // Assert
        Assert.Empty(_sink.Calls);
        Assert.True(result.DryRun);
        Assert.Equal(2, result.Records.Count);
        Assert.Null(result.KeyDelivery);
        Assert.Null(result.SummaryDelivery);
        Assert.Equal(RunStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task RunAsync_ShouldThrowRunInProgressWithTheRunningId_WhenARunIsAlreadyInProgress()
    {
        // Arrange
        _collector.Returns(A, keys: 1);
        _collector.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = Job(new CollectionOptions(), A);
        var first = job.RunAsync(new RunRequest(RunTrigger.Timer));
        await WaitUntil(() => _collector.InFlight == 1);

        // Act
        var ex = await Assert.ThrowsAsync<RunInProgressException>(() => job.RunAsync(new RunRequest(RunTrigger.Http)));

        // Assert
        Assert.Equal(job.RunningRunId, ex.RunningRunId);
        _collector.Hold.SetResult();
        var firstResult = await first;
        Assert.Equal(firstResult.RunId, ex.RunningRunId);
        Assert.Null(job.RunningRunId);
        Assert.Equal(RunStatus.Succeeded, (await job.RunAsync(new RunRequest(RunTrigger.Http))).Status);
    }

    [Fact]
    public async Task RunAsync_ShouldCollectAtMostMaxParallelAccountsAtOnce()
    {
        // Arrange
        string[] accounts = ["100000000001", "100000000002", "100000000003", "100000000004", "100000000005"];
        foreach (var account in accounts)
        {
            _collector.Returns(account, keys: 1);
        }

        _collector.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = Job(new CollectionOptions { MaxParallelAccounts = 2 }, accounts);

        // Act
        var run = job.RunAsync(new RunRequest(RunTrigger.Timer));
        await WaitUntil(() => _collector.InFlight == 2);
        var startedWhileHeld = _collector.Collected.Count;
        _collector.Hold.SetResult();
        var result = await run;

        // Assert
        Assert.Equal(2, startedWhileHeld);
        Assert.Equal(2, _collector.MaxInFlight);
        Assert.Equal(5, result.Accounts.Count(s => s.Status == "Succeeded"));
    }

    [Fact]
    public async Task RunAsync_ShouldReportProgressOncePerAccount()
    {
        // Arrange
        _collector.Returns(A, keys: 1).Throws(B, new InvalidOperationException("x")).Returns(C, keys: 1);
        var seen = new List<RunSummary>();
        var job = Job(new CollectionOptions(), A, B, C);

        // Act
        await job.RunAsync(new RunRequest(RunTrigger.Cli, Accounts: [A, B], Progress: new SyncProgress(s => seen.Add(s))));

        // Assert
        Assert.Equal([(A, "Succeeded"), (B, "Failed"), (C, "Skipped")], seen.Select(s => (s.AccountId, s.Status)).OrderBy(x => x.AccountId));
    }

    [Fact]
    public async Task RunAsync_ShouldDeliverToTheRequestsSink_InsteadOfTheConfiguredOne()
    {
        // Arrange
        _collector.Returns(A, keys: 2);
        var own = new RecordingSink();
        var job = Job(new CollectionOptions(), A);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Cli, Sink: own));

        // Assert
        Assert.Empty(_sink.Calls);
        Assert.Equal(["keys", "summaries"], own.Calls);
        Assert.Equal(2, result.KeyDelivery!.Delivered);
    }

    [Fact]
    public async Task RunAsync_ShouldCollectWithoutDelivering_WhenNoSinkIsConfigured()
    {
        // Arrange
        _collector.Returns(A, keys: 2);
        var job = new ReportJob(Directory(A), Pass(_collector, new CollectionOptions()), sink: null, Microsoft.Extensions.Options.Options.Create(new CollectionOptions()), _time, _logger);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal(2, result.Records.Count);
        Assert.Null(result.KeyDelivery);
        Assert.Null(result.SummaryDelivery);
        Assert.Equal(RunStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task RunAsync_ShouldFailTheRunWithExactCounts_WhenABatchFailsAfterItsRetries()
    {
        // Arrange
        _collector.Returns(A, keys: 4).Returns(B, keys: 2);
        _sink.FailKeyRecords = 2;
        var job = Job(new CollectionOptions(), A, B);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal((6, 4, 2, 1), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed, result.KeyDelivery.FailedBatches));
        Assert.Equal(["keys", "keys", "summaries"], _sink.Calls);
    }

    [Fact]
    public async Task RunAsync_ShouldDeliverAnAccountsKeys_AsSoonAsThatAccountIsDone()
    {
        // Arrange: B is still collecting while A finishes.
        _collector.Returns(A, keys: 3).Returns(B, keys: 2);
        var releaseB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _collector.HoldAccount[B] = releaseB;
        var job = Job(new CollectionOptions(), A, B);

        // Act
        var run = job.RunAsync(new RunRequest(RunTrigger.Timer));
        await WaitUntil(() => _sink.Keys.Count == 3);
        var beforeB = _sink.Keys.ToList();
        releaseB.SetResult();
        var result = await run;

        // Assert
        Assert.All(beforeB, k => Assert.Equal(A, k.AccountId));
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(5, _sink.Keys.Count);
        Assert.Empty(result.Records);
        Assert.Equal(5, result.KeysCollected);
        Assert.Equal((5, 5, 0), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed));
    }

    [Fact]
    public async Task RunAsync_ShouldReturnTheDeliveredRecords_WhenAskedToKeepThem()
    {
        // Arrange
        _collector.Returns(A, keys: 2).Returns(B, keys: 1);
        var job = Job(new CollectionOptions(), A, B);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Cli, KeepRecords: true));

        // Assert
        Assert.Equal(3, _sink.Keys.Count);
        Assert.Equal([A, A, B], result.Records.Select(r => r.AccountId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_ShouldFailOnlyTheAccountWhoseKeysWereLost_WithExactCountsPerAccountAndRun_WhenTheSinkBreaksMidRun(bool sinkThrows)
    {
        // Arrange: the sink loses B's records (after its retries, or by throwing) but not A's or C's.
        _collector.Returns(A, keys: 3).Returns(B, keys: 2).Returns(C, keys: 4);
        if (sinkThrows)
        {
            _sink.ThrowOnKeysOfAccount = B;
        }
        else
        {
            _sink.FailKeysOfAccount = B;
        }

        var job = Job(new CollectionOptions(), A, B, C);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert: per account, delivered + failed = collected; per run, the sums.
        Assert.Equal(RunStatus.Failed, result.Status);
        var byAccount = result.Accounts.ToDictionary(a => a.AccountId);
        Assert.Equal(("Succeeded", 3, 3), (byAccount[A].Status, byAccount[A].KeysReported, _sink.Keys.Count(k => k.AccountId == A)));
        Assert.Equal(("Failed", AccountPass.KeysNotDeliveredCode, 2, 0), (byAccount[B].Status, byAccount[B].ErrorCode, byAccount[B].KeysReported, _sink.Keys.Count(k => k.AccountId == B)));
        Assert.StartsWith("2 of the account's 2 key records were not delivered", byAccount[B].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(("Succeeded", 4, 4), (byAccount[C].Status, byAccount[C].KeysReported, _sink.Keys.Count(k => k.AccountId == C)));
        Assert.Equal((9, 7, 2), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed));
        Assert.Equal(result.KeysCollected, result.KeyDelivery.Delivered + result.KeyDelivery.Failed);
        Assert.Equal(result.Accounts, _sink.Summaries);
    }

    [Fact]
    public async Task RunAsync_ShouldCountEveryRecordAsFailed_WhenTheSinkThrows()
    {
        // Arrange
        _collector.Returns(A, keys: 3);
        _sink.ThrowOnKeys = new InvalidOperationException("IamKey:DataCollector:WorkspaceId is not set.");
        var job = Job(new CollectionOptions(), A);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal((3, 0, 3), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed));
        Assert.Contains("WorkspaceId", result.KeyDelivery.Error, StringComparison.Ordinal);
        Assert.Single(_sink.Summaries);
        Assert.Contains(_logger.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("Sink Recording failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ShouldLogOneLinePerAccountAndOneForTheRun()
    {
        // Arrange
        _collector.Returns(A, keys: 2).Throws(B, new IamException("Rate exceeded", "Throttling", 400));
        var job = Job(new CollectionOptions(), A, B);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        var lines = _logger.Lines.Select(l => l.Message).ToList();
        Assert.Single(lines, l => Regex.IsMatch(l, $@"^Account {A} \(alias-{A}\) Succeeded: 3 users, 2 keys, 7 calls, 1 throttled in [\d.]+ ms$"));
        Assert.Single(lines, l => l.StartsWith($"Account {B} (no alias) Failed: 0 users, 0 keys", StringComparison.Ordinal) && l.EndsWith("Throttling: Rate exceeded", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith($"Run {result.RunId} (timer) PartiallySucceeded: 2 accounts, 1 failed, 2 keys, 2 delivered", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count);
    }

    [Fact]
    public async Task RunAsync_ShouldReportModeReport_WhenCollectingFromTheCredentialReport()
    {
        // Arrange
        _collector.Returns(A, keys: 1);
        var job = Job(new CollectionOptions { Mode = FreshnessMode.Report }, A);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal("report", Assert.Single(result.Accounts).Mode);
    }

    [Fact]
    public async Task RunAsync_ShouldKeepTheCollectorWarningOnASucceededSummary()
    {
        // Arrange
        var warning = new AccountIssue("ReportExpired", "Credential report unavailable.");
        var job = new ReportJob(Directory(A), Pass(new WarningCollector(warning), new CollectionOptions()), _sink, Microsoft.Extensions.Options.Options.Create(new CollectionOptions()), _time, _logger);

        // Act
        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        var summary = Assert.Single(result.Accounts);
        Assert.Equal(("Succeeded", "ReportExpired", "Credential report unavailable."), (summary.Status, summary.ErrorCode, summary.ErrorMessage));
        Assert.Equal(RunStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task RunAsync_ShouldPropagateCancellation_WhenTheCallerCancels()
    {
        // Arrange
        _collector.Returns(A, keys: 1);
        _collector.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = Job(new CollectionOptions(), A);
        using var cts = new CancellationTokenSource();
        var run = job.RunAsync(new RunRequest(RunTrigger.Timer), cts.Token);
        await WaitUntil(() => _collector.InFlight == 1);

        // Act
        await cts.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(_sink.Calls);
        Assert.Null(job.RunningRunId);
    }

    [Theory]
    [InlineData(new[] { "Succeeded", "Succeeded" }, true, RunStatus.Succeeded)]
    [InlineData(new[] { "Succeeded", "Failed" }, true, RunStatus.PartiallySucceeded)]
    [InlineData(new[] { "Failed", "Failed" }, true, RunStatus.Failed)]
    [InlineData(new[] { "Failed", "Skipped" }, true, RunStatus.Failed)]
    [InlineData(new[] { "Succeeded", "Skipped" }, true, RunStatus.Succeeded)]
    [InlineData(new[] { "Succeeded", "Succeeded" }, false, RunStatus.Failed)]
    public void StatusOf_ShouldCombineAccountOutcomesAndDelivery(string[] statuses, bool delivered, RunStatus expected)
    {
        // Arrange
        var summaries = statuses.Select(Summary).ToList();
        var delivery = new Reporting.Delivery.DeliveryResult(2, delivered ? 2 : 1, delivered ? 0 : 1, 1, delivered ? 0 : 1, 10, 0, null);

        // Act
        var status = RunStatusRule.Of(summaries, delivery, delivery with { Failed = 0 });

        // Assert
        Assert.Equal(expected, status);
    }

    private static RunSummary Summary(string status) => new()
    {
        RunId = "20260915T060000Z-00000000",
        Trigger = "timer",
        CollectedAt = DateTimeOffset.UnixEpoch,
        Partition = "aws",
        AccountId = A,
        RoleArn = "arn:aws:iam::111111111111:role/R",
        Mode = "live",
        Status = status,
        UsersScanned = 0,
        KeysReported = 0,
        FindingsCount = 0,
        ApiCalls = 0,
        ThrottledRetries = 0,
        DurationMs = 0,
        CollectorVersion = "test",
    };

    private static AccountDirectory Directory(params string[] accounts) => new(new StaticAccountSource(new FixedSessions(accounts)));

    private AccountPass Pass(AccountCollector collector, CollectionOptions options) =>
        new(collector, Builder(options), Microsoft.Extensions.Options.Options.Create(options), _time);

    private static KeyRecordBuilder Builder(CollectionOptions options) =>
        new(new FindingsEvaluator(Microsoft.Extensions.Options.Options.Create(new FindingsOptions())), Microsoft.Extensions.Options.Options.Create(options));

    private ReportJob Job(CollectionOptions options, params string[] accounts) =>
        new(Directory(accounts), Pass(_collector, options), _sink, Microsoft.Extensions.Options.Options.Create(options), _time, _logger);

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private sealed class SyncProgress(Action<RunSummary> report) : IProgress<RunSummary>
    {
        private readonly Lock _gate = new();

        public void Report(RunSummary value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }

    private sealed class WarningCollector(AccountIssue warning) : AccountCollector
    {
        public override Task<AccountInventory> CollectAsync(Reporting.Aws.Federation.AwsAccountSession session, CollectionRun run, FactRequest facts, CancellationToken cancellationToken = default) =>
            Task.FromResult(new AccountInventory(null, [], AccountCounts.None, warning));
    }
}
