using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>
/// The in-process engine: one run of the report, whatever triggered it. It picks the accounts, runs each one's
/// <see cref="AccountPass"/> in parallel (up to <see cref="CollectionOptions.MaxParallelAccounts"/>), and hands each account's key records to the sink as soon as that
/// account is done, so a run holds the records of the accounts in flight, not of the whole organisation; then it
/// delivers the change events, sends again what failed (the recovery pass), and delivers the summaries last.
/// <para>Single-flight per process: while a run is in progress another <see cref="RunAsync"/> throws
/// <see cref="RunInProgressException"/> with the running run's ID. Register as a singleton.</para>
/// <para>A failing account becomes a <c>Failed</c> summary and never stops the others. Accounts left out by
/// <see cref="RunRequest.Accounts"/> get a <c>Skipped</c> summary. Delivery goes to <see cref="RunRequest.Sink"/> if given,
/// else the configured sink (none with <c>IamKey:Delivery:Sink</c> <c>None</c>). Accounts deliver one at a time (sinks
/// need not be thread-safe), each with its own exact accounting.</para>
/// <para>The recovery pass (<see cref="DeliveryRecovery"/>, when given): batches that failed after their retries and may
/// be sent again are kept in a <see cref="DeliveryLedger"/>; after the last account and the events they are sent again
/// until two thirds of the time left before the run's deadline (<c>IamKey:Delivery:RunTimeBudget</c> from the start), so
/// the summaries, built afterwards, say how each account's delivery ended: <see cref="AccountPass.KeysRecoveredCode"/> on a
/// succeeded account whose rows arrived through the pass, <c>Failed</c> with <see cref="AccountPass.KeysNotDeliveredCode"/>
/// for one whose rows are still missing. A summary batch that fails has its own pass until the deadline. A batch still
/// failing at the end makes the run <see cref="RunStatus.Failed"/>.</para>
/// <para>Change events (<see cref="KeyHistory"/>): each succeeded account is compared with its previous snapshot while
/// it is collected; the events are delivered after the key records, and an account's new snapshot is written only when
/// its key records and its events were all delivered, after the recovery pass and before the summaries, so that a
/// snapshot that could not be written is a <see cref="KeyHistory.NotSavedCode"/> warning on its account's row (not on
/// dry runs, nor without a sink). Any other account keeps its old snapshot, so the next run reports the same changes
/// again (at least once).</para>
/// </summary>
public partial class ReportJob
{
    private const string NoAlias = "no alias";

    private readonly AccountDirectory _accounts;
    private readonly AccountPass _pass;
    private readonly IReportSink? _sink;
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ReportJob> _logger;
    private readonly KeyPolicies? _policies;
    private readonly KeyHistory? _history;
    private readonly DeliveryRecovery? _recovery;
    private readonly Lock _gate = new();
    private string? _runningRunId;

    public ReportJob(
        AccountDirectory accounts,
        AccountPass pass,
        IReportSink? sink,
        IOptions<CollectionOptions> options,
        TimeProvider timeProvider,
        ILogger<ReportJob> logger,
        KeyPolicies? policies = null,
        KeyHistory? history = null,
        DeliveryRecovery? recovery = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _policies = policies;
        _recovery = recovery;
        _accounts = accounts;
        _pass = pass;
        _sink = sink;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _history = history is { Enabled: true } ? history : null;
    }

    /// <summary>For test doubles of the triggers.</summary>
    protected ReportJob()
    {
        _accounts = null!;
        _pass = null!;
        _sink = null!;
        _options = new CollectionOptions();
        _time = TimeProvider.System;
        _logger = null!;
    }

    /// <summary>The ID of the run in progress, or null.</summary>
    public string? RunningRunId
    {
        get
        {
            lock (_gate)
            {
                return _runningRunId;
            }
        }
    }

    /// <summary>Runs the report once.</summary>
    /// <exception cref="RunInProgressException">Another run is in progress in this process.</exception>
    /// <remarks>When the accounts cannot be resolved (<see cref="RunRequest.Accounts"/> names a malformed or unknown account,
    /// or the account source failed), nothing is collected or sent: the result is <see cref="RunStatus.Failed"/> with
    /// <see cref="RunResult.AccountErrors"/>.</remarks>
    public virtual async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var run = new CollectionRun(RunId.Create(now), now);
        Enter(run.RunId);
        try
        {
            return await RunCoreAsync(request, run, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    private async Task<RunResult> RunCoreAsync(RunRequest request, CollectionRun run, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var deadline = _recovery?.Deadline(_time.GetUtcNow());
        var selection = await _accounts.ResolveAsync(request.Accounts, cancellationToken).ConfigureAwait(false);
        if (selection.Failure is { } failure)
        {
            return await SourceFailedAsync(failure, request, run, started, deadline, cancellationToken).ConfigureAwait(false);
        }

        if (!selection.Succeeded)
        {
            return new RunResult
            {
                RunId = run.RunId,
                Trigger = request.Trigger,
                StartedAt = run.CollectedAt,
                Duration = _time.GetElapsedTime(started),
                Status = RunStatus.Failed,
                DryRun = request.DryRun,
                Accounts = [],
                Records = [],
                AccountErrors = selection.Errors,
            };
        }

        var selected = selection.Selected.Select(s => s.AccountId).ToHashSet(StringComparer.Ordinal);
        var target = request.DryRun ? null : request.Sink ?? _sink;
        var ledger = new DeliveryLedger();
        var outcomes = await CollectAllAsync(selection, selected, request, run, target, ledger, cancellationToken).ConfigureAwait(false);
        var records = outcomes.SelectMany(o => o.Records).ToList();
        var pending = outcomes.Select(o => o.History).OfType<PendingSnapshot>().ToList();
        var events = pending.SelectMany(p => p.Changes.Events).ToList();

        // Key records went out per account; then the change events; then what failed is sent again (keeping a third of
        // the time left for the summaries), so the summaries say how each account's delivery ended; the summaries last.
        DeliveryResult? eventDelivery = null, summaryDelivery = null;
        var passes = new List<RecoveryResult>();
        if (target is { } sink)
        {
            if (_history is not null)
            {
                var sent = await DeliverAsync(sink, events.Count, ct => sink.SendKeyEventsAsync(events, ct), cancellationToken).ConfigureAwait(false);
                eventDelivery = ledger.Record(DeliveryTable.KeyEvents, null, events, sent);
            }

            var recovered = await RecoverAsync(sink, ledger.Take(DeliveryTable.KeyRecords, DeliveryTable.KeyEvents), deadline, summariesNext: true, cancellationToken).ConfigureAwait(false);
            passes.Add(recovered);
            outcomes = [.. outcomes.Select(o => o.KeyDelivery is { } keys ? o.WithKeyDelivery(recovered.Apply(keys, DeliveryTable.KeyRecords, o.Summary.AccountId)) : o)];
            eventDelivery = eventDelivery is null ? null : recovered.Apply(eventDelivery, DeliveryTable.KeyEvents, null);
            foreach (var outcome in outcomes.Where(o => o.KeyDelivery is { Recovered: > 0 }))
            {
                LogKeysRecovered(outcome.Summary.AccountId, outcome.Summary.AccountAlias ?? NoAlias, outcome.KeyDelivery!.Recovered, outcome.Summary.Status);
            }
        }

        var summaries = _policies is null
            ? outcomes.Select(o => o.Summary).ToList()
            : UnmatchedExemptionReport.Annotate(
                _policies.Exemptions,
                [.. outcomes.Select(o => o.Summary)],
                outcomes.Where(o => o.Summary.Is(AccountStatus.Succeeded)).SelectMany(o => o.MatchedExemptions).ToHashSet());

        DeliveryResult? keyDelivery = null;
        HistorySave? historySave = null;
        if (target is { } summarySink)
        {
            keyDelivery = DeliveryResult.Sum(outcomes.Select(o => o.KeyDelivery).OfType<DeliveryResult>());
            if (_history is not null)
            {
                // Snapshots before summaries: a snapshot that could not be written is a warning on its account's row.
                historySave = await SaveHistoryAsync(run.RunId, Deliverable(outcomes, events, eventDelivery!), eventDelivery!.Delivered, cancellationToken).ConfigureAwait(false);
                summaries = [.. summaries.Select(s => AccountPass.WithWarning(s, historySave.WarningFor(s.AccountId)))];
            }

            (summaryDelivery, var summaryPass) = await DeliverSummariesAsync(summarySink, summaries, deadline, cancellationToken).ConfigureAwait(false);
            passes.Add(summaryPass);
        }

        var result = new RunResult
        {
            RunId = run.RunId,
            Trigger = request.Trigger,
            StartedAt = run.CollectedAt,
            Duration = _time.GetElapsedTime(started),
            Status = RunStatusRule.Of(summaries, keyDelivery, summaryDelivery, eventDelivery),
            DryRun = request.DryRun,
            Accounts = summaries,
            Records = records,
            Events = events,
            KeyDelivery = keyDelivery,
            EventDelivery = eventDelivery,
            SummaryDelivery = summaryDelivery,
            Recovery = target is null ? null : RunRecovery.Of(passes, _recovery?.Budget),
            History = historySave,
        };
        LogRun(result);
        return result;
    }

    /// <summary>Writes the snapshots of the run; a store that took none of them is a warning in the log.</summary>
    private async Task<HistorySave> SaveHistoryAsync(string runId, IReadOnlyList<PendingSnapshot> pending, int events, CancellationToken cancellationToken)
    {
        var save = await _history!.SaveAsync(pending, cancellationToken).ConfigureAwait(false);
        if (save.Failures.Count > 0)
        {
            LogHistoryNotSaved(runId, save.Store, save.Failures.Count, save.Attempted);
        }

        LogHistorySaved(runId, events, save.Saved, save.Attempted);
        return save;
    }

    /// <summary>
    /// The snapshots that may be written: those of accounts whose key records all arrived and whose change events all
    /// arrived (after the recovery pass). Any other account keeps its old snapshot, so the next run reports its changes again.
    /// </summary>
    private static List<PendingSnapshot> Deliverable(IReadOnlyList<DeliveredOutcome> outcomes, IReadOnlyList<KeyEvent> events, DeliveryResult eventDelivery)
    {
        HashSet<string>? eventsMissing = eventDelivery.Succeeded
            ? []
            : eventDelivery.FailuresKnown ? [.. eventDelivery.Failures.SelectMany(f => f.Positions).Select(p => events[p].AccountId)] : null;
        return [.. outcomes
            .Where(o => o.History is not null && o.KeyDelivery is not { Succeeded: false })
            .Where(o => eventsMissing is null ? o.History!.Changes.Events.Count == 0 : !eventsMissing.Contains(o.Summary.AccountId))
            .Select(o => o.History!)];
    }

    /// <summary>
    /// The run summaries, sent after everything else; a batch of them that fails is sent again until the run's deadline,
    /// so a run does not end with its rows delivered and no summary while time remains.
    /// </summary>
    private async Task<(DeliveryResult Delivery, RecoveryResult Pass)> DeliverSummariesAsync(IReportSink sink, IReadOnlyList<RunSummary> summaries, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var sent = await DeliverAsync(sink, summaries.Count, ct => sink.SendRunSummariesAsync(summaries, ct), cancellationToken).ConfigureAwait(false);
        var failed = UndeliveredBatch.From(DeliveryTable.RunSummaries, null, summaries, sent);
        var pass = await RecoverAsync(sink, failed, deadline, summariesNext: false, cancellationToken).ConfigureAwait(false);
        return (pass.Apply(sent, DeliveryTable.RunSummaries, null), pass);
    }

    /// <summary>The recovery pass over <paramref name="batches"/>, until the deadline (or, before the summaries, two thirds of the time left).</summary>
    private async Task<RecoveryResult> RecoverAsync(IReportSink sink, IReadOnlyList<UndeliveredBatch> batches, DateTimeOffset? deadline, bool summariesNext, CancellationToken cancellationToken)
    {
        if (_recovery is null || deadline is not { } end || batches.Count == 0)
        {
            return RecoveryResult.None;
        }

        var until = summariesNext ? _recovery.SummaryReserveStart(end) : end;
        return await _recovery.RecoverAsync(sink, batches, until, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The account source failed (AWS Organizations discovery): nothing is collected, and one <c>Failed</c> summary row for
    /// the account discovery called carries the error code, so that the failed-run alert fires. It is delivered like any
    /// summary (not on dry runs).
    /// </summary>
    private async Task<RunResult> SourceFailedAsync(SourceFailure failure, RunRequest request, CollectionRun run, long started, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var summary = new RunSummary
        {
            RunId = run.RunId,
            Trigger = RunNames.Trigger(request.Trigger),
            CollectedAt = run.CollectedAt,
            Partition = AwsArn.ParseRole(failure.RoleArn).Partition,
            AccountId = failure.AccountId,
            DiscoverySource = DiscoverySource.Organizations.ToColumn(),
            RoleArn = failure.RoleArn,
            Mode = RunNames.Mode(_options.Mode),
            Status = AccountStatus.Failed.ToColumn(),
            ErrorCode = failure.Issue.Code,
            ErrorMessage = failure.Issue.Message,
            UsersScanned = 0,
            KeysReported = 0,
            FindingsCount = 0,
            ApiCalls = 0,
            ThrottledRetries = 0,
            DurationMs = Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 1),
            CollectorVersion = AccountPass.CollectorVersion,
        };
        LogAccount(summary);
        request.Progress?.Report(summary);
        DeliveryResult? summaryDelivery = null;
        RecoveryResult? pass = null;
        if (!request.DryRun && (request.Sink ?? _sink) is { } sink)
        {
            (summaryDelivery, pass) = await DeliverSummariesAsync(sink, [summary], deadline, cancellationToken).ConfigureAwait(false);
        }

        var result = new RunResult
        {
            RunId = run.RunId,
            Trigger = request.Trigger,
            StartedAt = run.CollectedAt,
            Duration = _time.GetElapsedTime(started),
            Status = RunStatus.Failed,
            DryRun = request.DryRun,
            Accounts = [summary],
            Records = [],
            SummaryDelivery = summaryDelivery,
            Recovery = pass is null ? null : RunRecovery.Of([pass], _recovery?.Budget),
        };
        LogRun(result);
        return result;
    }

    /// <param name="sink">Where each account's key records go as soon as it is done; null on dry runs and without a sink,
    /// when the records stay in the outcomes instead.</param>
    /// <param name="ledger">Where the batches that failed and may be sent again are kept for the recovery pass.</param>
    private async Task<DeliveredOutcome[]> CollectAllAsync(
        AccountSelection selection, HashSet<string> selected, RunRequest request, CollectionRun run, IReportSink? sink, DeliveryLedger ledger, CancellationToken cancellationToken)
    {
        var sessions = selection.All;
        var outcomes = new DeliveredOutcome[sessions.Count];
        var keep = sink is null || request.KeepRecords;
        using var lane = new SemaphoreSlim(1, 1);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelAccounts, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions.Count), parallel, async (i, ct) =>
        {
            var session = sessions[i];
            var work = new AccountWork(run, request.Trigger, session, selection.PlacementOf(session.AccountId));
            var outcome = selected.Contains(session.AccountId)
                ? await _pass.RunAsync(work, ct).ConfigureAwait(false)
                : _pass.Skip(work, AccountPass.SkipReason(selection, session.AccountId));
            DeliveryResult? keys = null;
            if (sink is not null && outcome.Records.Count > 0)
            {
                keys = await DeliverInLaneAsync(lane, sink, outcome.Records, ct).ConfigureAwait(false);
                ledger.Record(DeliveryTable.KeyRecords, session.AccountId, outcome.Records, keys);
            }

            var delivered = new DeliveredOutcome(outcome with { Records = [] }, keep ? outcome.Records : [], keys);
            if (!delivered.Summary.Is(AccountStatus.Skipped))
            {
                LogAccount(delivered.Summary);
            }

            outcomes[i] = delivered;
            request.Progress?.Report(delivered.Summary);
        }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>One account's key records to the sink, one account at a time.</summary>
    private async Task<DeliveryResult> DeliverInLaneAsync(SemaphoreSlim lane, IReportSink sink, IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken)
    {
        await lane.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await DeliverAsync(sink, records.Count, ct => sink.SendKeyRecordsAsync(records, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lane.Release();
        }
    }

    /// <summary>Calls the sink; a sink that throws (configuration error) counts every record as failed, so nothing is dropped silently.</summary>
    private async Task<DeliveryResult> DeliverAsync(IReportSink sink, int count, Func<CancellationToken, Task<DeliveryResult>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var issue = SafeError.From(ex);
            LogSinkFailed(sink.Name, issue.Code, issue.Message);
            return DeliveryResult.Thrown(count, $"{issue.Code}: {issue.Message}");
        }
    }

    private void Enter(string runId)
    {
        lock (_gate)
        {
            if (_runningRunId is { } running)
            {
                throw new RunInProgressException(running);
            }

            _runningRunId = runId;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            _runningRunId = null;
        }
    }

    private void LogAccount(RunSummary s)
    {
        var alias = s.AccountAlias ?? NoAlias;
        if (s.Is(AccountStatus.Failed))
        {
            LogAccountFailed(s.AccountId, alias, s.Status, s.UsersScanned, s.KeysReported, s.ApiCalls, s.ThrottledRetries, s.DurationMs, s.ErrorCode, s.ErrorMessage);
        }
        else
        {
            LogAccountDone(s.AccountId, alias, s.Status, s.UsersScanned, s.KeysReported, s.ApiCalls, s.ThrottledRetries, s.DurationMs);
        }
    }

    private void LogRun(RunResult r) => LogRunDone(
        r.RunId,
        RunNames.Trigger(r.Trigger),
        r.Status,
        r.Accounts.Count,
        r.Accounts.Count(a => a.Is(AccountStatus.Failed)),
        r.KeysCollected,
        r.KeyDelivery?.Delivered ?? 0,
        r.KeyDelivery?.Failed ?? 0,
        r.DryRun,
        Math.Round(r.Duration.TotalMilliseconds, 1),
        r.RecoveredBatches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} ({Alias}) {Status}: {Users} users, {Keys} keys, {ApiCalls} calls, {Throttled} throttled in {DurationMs} ms")]
    private partial void LogAccountDone(string accountId, string alias, string status, int users, int keys, int apiCalls, int throttled, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} ({Alias}) {Status}: {Users} users, {Keys} keys, {ApiCalls} calls, {Throttled} throttled in {DurationMs} ms; {ErrorCode}: {ErrorMessage}")]
    private partial void LogAccountFailed(string accountId, string alias, string status, int users, int keys, int apiCalls, int throttled, double durationMs, string? errorCode, string? errorMessage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ({Trigger}) {RunStatus}: {Accounts} accounts, {FailedAccounts} failed, {Keys} keys, {Delivered} delivered, {DeliveryFailed} failed delivery, dry run {DryRun}, in {DurationMs} ms; {RecoveredBatches} failed batches recovered")]
    private partial void LogRunDone(string runId, string trigger, RunStatus runStatus, int accounts, int failedAccounts, int keys, int delivered, int deliveryFailed, bool dryRun, double durationMs, int recoveredBatches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} ({Alias}): {Recovered} key records delivered by the recovery pass; the account is {Status}")]
    private partial void LogKeysRecovered(string accountId, string alias, int recovered, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Events} change events delivered; {Saved} of {Accounts} account snapshots written")]
    private partial void LogHistorySaved(string runId, int events, int saved, int accounts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: {Failed} of {Accounts} account snapshots could not be written to the snapshot store {Store}; their change events repeat until it can be written")]
    private partial void LogHistoryNotSaved(string runId, string store, int failed, int accounts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sink {Sink} failed: {ErrorCode}: {ErrorMessage}")]
    private partial void LogSinkFailed(string sink, string errorCode, string errorMessage);

    /// <summary>One account after its pass and its key delivery.</summary>
    /// <param name="Collected">The pass's outcome before key delivery (its records let go: see <paramref name="Records"/>).</param>
    /// <param name="Records">Empty once delivered, unless <see cref="RunRequest.KeepRecords"/>.</param>
    /// <param name="KeyDelivery">The account's own key delivery (after the recovery pass, once it ran); null when nothing was sent for it.</param>
    private sealed record DeliveredOutcome(AccountOutcome Collected, IReadOnlyList<KeyRecord> Records, DeliveryResult? KeyDelivery)
    {
        /// <summary>The account's summary row, with its key delivery applied.</summary>
        public RunSummary Summary => KeyDelivery is { } keys ? Collected.WithKeyDelivery(keys).Summary : Collected.Summary;

        public PendingSnapshot? History => Collected.History;

        public IReadOnlySet<int> MatchedExemptions => Collected.MatchedExemptions;

        public DeliveredOutcome WithKeyDelivery(DeliveryResult keys) => this with { KeyDelivery = keys };
    }
}
