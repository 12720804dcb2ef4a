using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Where a run's records go: the Data Collector API, the Logs Ingestion API, or a JSONL file; one
/// method per table (key records, change events, run summaries).
/// A sink batches, retries what is retryable, and reports exact counts; it does not throw for a
/// batch that failed after its retries (that is in the result), only for configuration errors and
/// cancellation.
/// </summary>
public interface IReportSink
{
    /// <summary>Short name for logs and summaries, e.g. <c>DataCollector</c>.</summary>
    string Name { get; }

    Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default);

    Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default);

    Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default);
}
