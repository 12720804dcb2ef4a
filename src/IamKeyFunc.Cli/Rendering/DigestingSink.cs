using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>
/// The run's sink, seen by the findings table on the way: every key record handed to <paramref name="inner"/> is also
/// added to <paramref name="digest"/>, so <c>collect</c> can print the riskiest keys without keeping every record.
/// </summary>
internal sealed class DigestingSink(IReportSink inner, FindingsDigest digest) : IReportSink
{
    public string Name => inner.Name;

    public Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default)
    {
        digest.Add(records);
        return inner.SendKeyRecordsAsync(records, cancellationToken);
    }

    public Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default) =>
        inner.SendKeyEventsAsync(events, cancellationToken);

    public Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default) =>
        inner.SendRunSummariesAsync(summaries, cancellationToken);
}
