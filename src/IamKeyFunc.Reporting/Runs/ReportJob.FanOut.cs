using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>One account of a fan-out run, collected and its key records delivered; its summary is sent by <see cref="ReportJob.DeliverFanOutSummaryAsync"/> once the outcome is recorded.</summary>
/// <param name="KeysCollected">Key records built for the account.</param>
/// <param name="KeyDelivery">Their delivery; null when nothing was sent (no records, or no sink).</param>
public sealed record FanOutAccount(RunSummary Summary, int KeysCollected, DeliveryResult? KeyDelivery, PendingSnapshot? History);

public partial class ReportJob
{
    /// <summary>Sinks need not be thread-safe: the queue invocations of one process deliver one at a time.</summary>
    private readonly SemaphoreSlim _fanOutLane = new(1, 1);

    /// <summary>
    /// The per-account path of <see cref="RunAsync"/> for one queue message: resolve the account, collect it (a failure
    /// becomes a <c>Failed</c> summary, as in a whole run), build its key records and deliver them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The account is no longer one the account source knows.</exception>
    public virtual async Task<FanOutAccount> CollectFanOutAccountAsync(CollectionRun run, RunTrigger trigger, string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var selection = await _accounts.ResolveAsync([accountId], cancellationToken).ConfigureAwait(false);
        if (!selection.Succeeded || selection.Selected.Count != 1)
        {
            throw new InvalidOperationException(
                $"Account {accountId} of run {run.RunId} cannot be resolved: {selection.Failure?.Issue.Message ?? string.Join(" ", selection.Errors)}");
        }

        var session = selection.Selected[0];
        var outcome = await _pass.RunAsync(new AccountWork(run, trigger, session, selection.PlacementOf(session.AccountId)), cancellationToken).ConfigureAwait(false);
        DeliveryResult? keys = null;
        if (_sink is { } sink && outcome.Records.Count > 0)
        {
            keys = await DeliverInLaneAsync(_fanOutLane, sink, outcome.Records, cancellationToken).ConfigureAwait(false);
            outcome = outcome.WithKeyDelivery(keys);
        }

        var summary = outcome.Summary;
        LogAccount(summary);
        return new FanOutAccount(summary, outcome.Records.Count, keys, outcome.History);
    }

    /// <summary>
    /// Sends the account's change events and its summary row; writes its snapshot only when its key records and events
    /// were all delivered (as in <see cref="RunAsync"/>). Null without a sink.
    /// </summary>
    public virtual async Task<DeliveryResult?> DeliverFanOutSummaryAsync(FanOutAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (_sink is not { } sink)
        {
            return null;
        }

        await _fanOutLane.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var summary = account.Summary;
            if (_history is not null && account.History is { } pending && account.KeyDelivery is not { Succeeded: false })
            {
                var events = pending.Changes.Events;
                var eventDelivery = await DeliverAsync(sink, events.Count, ct => sink.SendKeyEventsAsync(events, ct), cancellationToken).ConfigureAwait(false);
                if (eventDelivery.Succeeded)
                {
                    var save = await SaveHistoryAsync(summary.RunId, [pending], events.Count, cancellationToken).ConfigureAwait(false);
                    summary = AccountPass.WithWarning(summary, save.WarningFor(summary.AccountId));
                }
            }

            return await DeliverAsync(sink, 1, ct => sink.SendRunSummariesAsync([summary], ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fanOutLane.Release();
        }
    }
}
