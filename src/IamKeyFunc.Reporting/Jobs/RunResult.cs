using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Model;

namespace IamKeyFunc.Reporting.Jobs;

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

    public required IReadOnlyList<KeyRecord> Records { get; init; }

    /// <summary>The change events of the succeeded accounts (empty on an account's first run, and when <c>IamKey:History:Enabled</c> is false).</summary>
    public IReadOnlyList<KeyEvent> Events { get; init; } = [];

    /// <summary>Null on dry runs and with the <c>None</c> sink.</summary>
    public DeliveryResult? KeyDelivery { get; init; }

    public DeliveryResult? SummaryDelivery { get; init; }

    /// <summary>Null on dry runs, with the <c>None</c> sink, and when history is off.</summary>
    public DeliveryResult? EventDelivery { get; init; }
}

public enum RunStatus
{
    Succeeded,
    PartiallySucceeded,
    Failed,
}
