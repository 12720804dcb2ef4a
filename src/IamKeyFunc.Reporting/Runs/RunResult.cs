using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>The outcome of one run: per-account summaries, the records, and delivery accounting.</summary>
public sealed record RunResult
{
    public required string RunId { get; init; }

    public required RunTrigger Trigger { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary><c>Succeeded</c> when every account succeeded and every record was delivered; <c>PartiallySucceeded</c> when some accounts failed but delivery was complete; otherwise <c>Failed</c>.</summary>
    public required RunStatus Status { get; init; }

    public required bool DryRun { get; init; }

    public required IReadOnlyList<RunSummary> Accounts { get; init; }

    /// <summary>
    /// The key records, when they were not delivered (dry runs, no sink) or <see cref="RunRequest.KeepRecords"/> asked for
    /// them; empty otherwise, because each account's records go to the sink as soon as it is done and are not kept.
    /// </summary>
    public required IReadOnlyList<KeyRecord> Records { get; init; }

    /// <summary>Key records collected over every account, kept or not (the sum of <see cref="RunSummary.KeysReported"/>).</summary>
    public int KeysCollected => Accounts.Sum(a => a.KeysReported);

    /// <summary>The change events of the succeeded accounts (empty on an account's first run, and when <c>IamKey:History:Enabled</c> is false).</summary>
    public IReadOnlyList<KeyEvent> Events { get; init; } = [];

    /// <summary>Null on dry runs and with the <c>None</c> sink.</summary>
    public DeliveryResult? KeyDelivery { get; init; }

    public DeliveryResult? SummaryDelivery { get; init; }

    /// <summary>Null on dry runs, with the <c>None</c> sink, and when history is off.</summary>
    public DeliveryResult? EventDelivery { get; init; }

    /// <summary>The snapshots written for the change history; null when none were due (dry runs, no sink, history off, or a delivery failed).</summary>
    public HistorySave? History { get; init; }

    /// <summary>What the recovery pass did; null when it was not set up (no <see cref="DeliveryRecovery"/>), on dry runs and without a sink.</summary>
    public RunRecovery? Recovery { get; init; }

    /// <summary>Failed batches (key records, change events, run summaries) the recovery pass delivered whole.</summary>
    public int RecoveredBatches => (KeyDelivery?.RecoveredBatches ?? 0) + (EventDelivery?.RecoveredBatches ?? 0) + (SummaryDelivery?.RecoveredBatches ?? 0);

    /// <summary>Records the recovery pass delivered, over the three tables.</summary>
    public int RecoveredRecords => (KeyDelivery?.Recovered ?? 0) + (EventDelivery?.Recovered ?? 0) + (SummaryDelivery?.Recovered ?? 0);

    /// <summary>Why the run's accounts could not be resolved (see <c>AccountDirectory</c>); empty when they were. Nothing is collected or sent then.</summary>
    public IReadOnlyList<string> AccountErrors { get; init; } = [];

    /// <summary>Records handed to the sink: key records, change events and run summaries together.</summary>
    public int RecordsSent => (KeyDelivery?.Records ?? 0) + (EventDelivery?.Records ?? 0) + (SummaryDelivery?.Records ?? 0);

    /// <summary>Key records, change events and run summaries the sink acknowledged.</summary>
    public int RecordsDelivered => (KeyDelivery?.Delivered ?? 0) + (EventDelivery?.Delivered ?? 0) + (SummaryDelivery?.Delivered ?? 0);

    /// <summary>Key records, change events and run summaries that failed delivery.</summary>
    public int RecordsFailed => (KeyDelivery?.Failed ?? 0) + (EventDelivery?.Failed ?? 0) + (SummaryDelivery?.Failed ?? 0);
}

/// <summary>The recovery pass of one run, over its passes (key records and events, then the summaries).</summary>
/// <param name="Budget">The run's time budget (<c>IamKey:Delivery:RunTimeBudget</c>, resolved).</param>
/// <param name="Batches">Failed batches that entered the pass.</param>
/// <param name="RecoveredBatches">Of those, the batches delivered whole.</param>
/// <param name="Rounds">Rounds of sends.</param>
/// <param name="DeadlineReached">True when the pass stopped at the deadline with batches still undelivered.</param>
/// <param name="Duration">Time spent in the pass.</param>
public sealed record RunRecovery(TimeSpan Budget, int Batches, int RecoveredBatches, int Rounds, bool DeadlineReached, TimeSpan Duration)
{
    /// <summary>When the last pass that sent anything ended; null when none did.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The passes as one; null without a recovery pass (<paramref name="budget"/> null).</summary>
    public static RunRecovery? Of(IReadOnlyList<RecoveryResult> passes, TimeSpan? budget) => budget is { } b
        ? new RunRecovery(
            b,
            passes.Sum(p => p.Batches.Count),
            passes.Sum(p => p.RecoveredBatches),
            passes.Sum(p => p.Rounds),
            passes.Any(p => p.DeadlineReached),
            passes.Aggregate(TimeSpan.Zero, (total, p) => total + p.Duration))
        {
            EndedAt = passes.Where(p => p.Rounds > 0).Max(p => p.EndedAt),
        }
        : null;
}

public enum RunStatus
{
    Succeeded,
    PartiallySucceeded,
    Failed,
}
