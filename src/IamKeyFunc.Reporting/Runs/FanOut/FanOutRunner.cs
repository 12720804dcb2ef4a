using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Runs.FanOut;

/// <summary>A fan-out run that started: its ID and how many accounts were queued; <see cref="Errors"/> when it could not start (nothing queued, no lock held).</summary>
public sealed record FanOutStart(string RunId, int AccountsQueued, IReadOnlyList<string> Errors);

/// <summary>
/// <see cref="RunMode.FanOut"/>: <see cref="StartAsync"/> takes the deployment's run lock, resolves the accounts and
/// queues one message per account; <see cref="CollectAsync"/> (the queue trigger) collects one account through
/// <see cref="ReportJob.CollectFanOutAccountAsync"/> and records its outcome once; the invocation that records the last
/// outcome writes the run-level record and releases the lock. A failed account is retried through the queue until
/// <see cref="RunOptions.AccountAttempts"/>, then recorded <c>Failed</c>; a message the host moved to the poison queue
/// is recorded <c>Failed</c> by <see cref="PoisonedAsync"/>, so no account blocks the run's completion.
/// </summary>
public sealed partial class FanOutRunner(
    ReportJob job, AccountDirectory accounts, Lazy<FanOutStore> lazyStore, IOptions<RunOptions> options, TimeProvider time, ILogger<FanOutRunner> logger)
{
    /// <summary>The error code of an account whose message reached the poison queue.</summary>
    public const string PoisonedCode = "AccountPoisoned";

    private readonly RunOptions _options = options.Value;

    /// <summary>Built on first use, so an InProcess deployment without a storage connection never needs one.</summary>
    private FanOutStore Store => lazyStore.Value;

    /// <exception cref="RunInProgressException">Another run of this deployment holds the lock.</exception>
    public async Task<FanOutStart> StartAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var runId = RunId.Create(now);
        var leaseId = await Store.AcquireLockAsync(runId, now, _options.MaxRunTime, cancellationToken).ConfigureAwait(false);
        try
        {
            var selection = await accounts.ResolveAsync(request.Accounts, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> errors = selection.Failure is { } failure ? [$"{failure.Issue.Code}: {failure.Issue.Message}"]
                : selection.Selected.Count == 0 ? ["No account to collect."]
                : selection.Errors;
            if (errors.Count > 0)
            {
                await Store.ReleaseLockAsync(leaseId, cancellationToken).ConfigureAwait(false);
                return new FanOutStart(runId, 0, errors);
            }

            var ids = selection.Selected.Select(s => s.AccountId).ToList();
            await Store.WriteRunAsync(new FanOutRun(runId, request.Trigger, now, ids, leaseId), cancellationToken).ConfigureAwait(false);
            await Store.EnqueueAsync(ids.Select(id => new AccountWorkItem(runId, id, request.Trigger, now)), cancellationToken).ConfigureAwait(false);
            LogStarted(runId, RunNames.Trigger(request.Trigger), ids.Count);
            return new FanOutStart(runId, ids.Count, []);
        }
        catch
        {
            await Store.ReleaseLockAsync(leaseId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One queue message. Throws (so the queue retries it) for a failed account before its last attempt.</summary>
    public async Task CollectAsync(string message, long dequeueCount, CancellationToken cancellationToken)
    {
        var item = FanOutStore.ParseWorkItem(message);
        if (await Store.HasOutcomeAsync(item.RunId, item.AccountId, cancellationToken).ConfigureAwait(false))
        {
            LogDuplicate(item.RunId, item.AccountId);
            await TryCompleteAsync(item.RunId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var account = await job.CollectFanOutAccountAsync(new CollectionRun(item.RunId, item.CollectedAt), item.Trigger, item.AccountId, cancellationToken).ConfigureAwait(false);
        // Only an account that sent nothing is retried: one whose records were (partly) delivered would send them twice.
        if (account.Summary.Is(AccountStatus.Failed) && account.KeyDelivery is null && dequeueCount < _options.AccountAttempts)
        {
            throw new AccountRetryException(
                $"Account {item.AccountId} of run {item.RunId} failed on attempt {dequeueCount} of {_options.AccountAttempts} ({account.Summary.ErrorCode}); the queue retries it.");
        }

        if (await Store.TryRecordOutcomeAsync(item.RunId, AccountOutcomeRecord.From(account, (int)dequeueCount), cancellationToken).ConfigureAwait(false))
        {
            await job.DeliverFanOutSummaryAsync(account, cancellationToken).ConfigureAwait(false);
        }

        await TryCompleteAsync(item.RunId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A message the host gave up on (it threw on every attempt): the account is recorded <c>Failed</c> so the run completes.</summary>
    public async Task PoisonedAsync(string message, CancellationToken cancellationToken)
    {
        var item = FanOutStore.ParseWorkItem(message);
        var outcome = new AccountOutcomeRecord(item.AccountId, AccountStatus.Failed.ToColumn(), PoisonedCode, 0, 0, 0, _options.AccountAttempts);
        if (await Store.TryRecordOutcomeAsync(item.RunId, outcome, cancellationToken).ConfigureAwait(false))
        {
            LogPoisoned(item.RunId, item.AccountId);
        }

        await TryCompleteAsync(item.RunId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Each invocation checks after its own outcome is written, so the one that writes the last outcome sees them all;
    /// the completion blob is created once, so one invocation logs the run and releases the lock.
    /// </summary>
    private async Task TryCompleteAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await Store.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (await Store.CountOutcomesAsync(runId, cancellationToken).ConfigureAwait(false) < run.AccountIds.Count)
        {
            return;
        }

        var outcomes = await Store.ReadOutcomesAsync(runId, cancellationToken).ConfigureAwait(false);
        if (FanOutRunTotals.TryComplete(run, outcomes, time.GetUtcNow()) is not { } totals
            || !await Store.TryCompleteAsync(totals, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        LogCompleted(totals.RunId, RunNames.Trigger(totals.Trigger), totals.Status, totals.Accounts, totals.AccountsFailed,
            totals.KeysCollected, totals.KeysDelivered, totals.KeysFailed, Math.Round(totals.Duration.TotalMilliseconds), string.Join(',', totals.FailedAccountIds));
        await Store.ReleaseLockAsync(run.LeaseId, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fan-out run {RunId} ({Trigger}) started: {Accounts} accounts queued")]
    private partial void LogStarted(string runId, string trigger, int accounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fan-out run {RunId}: account {AccountId} already recorded; message ignored")]
    private partial void LogDuplicate(string runId, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fan-out run {RunId}: account {AccountId} reached the poison queue; recorded Failed")]
    private partial void LogPoisoned(string runId, string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fan-out run {RunId} ({Trigger}) completed {RunStatus}: {Accounts} accounts, {FailedAccounts} failed, {Keys} keys, {Delivered} delivered, {DeliveryFailed} failed delivery, in {DurationMs} ms; failed accounts: [{FailedAccountIds}]")]
    private partial void LogCompleted(string runId, string trigger, RunStatus runStatus, int accounts, int failedAccounts, int keys, int delivered, int deliveryFailed, double durationMs, string failedAccountIds);
}

/// <summary>A failed account before its last attempt: thrown so that the queue delivers the message again.</summary>
public sealed class AccountRetryException(string message) : Exception(message);
