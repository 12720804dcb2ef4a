namespace IamKeyFunc.Reporting.Delivery;

/// <summary>Exact accounting of one delivery: every record is either delivered or failed.</summary>
/// <param name="Records">Records handed to the sink.</param>
/// <param name="Delivered">Records the service acknowledged.</param>
/// <param name="Failed">Records in batches that failed after their retries (or were refused before sending).</param>
/// <param name="Batches">Requests the records were split into.</param>
/// <param name="FailedBatches">Batches that failed after their retries.</param>
/// <param name="Bytes">Body bytes acknowledged (before compression).</param>
/// <param name="Retries">Retried requests (429/5xx/connection faults, key re-reads).</param>
/// <param name="Error">The last error, safe to log (no secrets), when anything failed.</param>
public sealed record DeliveryResult(int Records, int Delivered, int Failed, int Batches, int FailedBatches, long Bytes, int Retries, string? Error)
{
    public bool Succeeded => Failed == 0;

    public static DeliveryResult Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, null);

    /// <summary>Several deliveries to the same table as one (counts added; the last error kept).</summary>
    public static DeliveryResult Sum(IEnumerable<DeliveryResult> parts) => parts.Aggregate(Empty, (total, part) => new DeliveryResult(
        total.Records + part.Records,
        total.Delivered + part.Delivered,
        total.Failed + part.Failed,
        total.Batches + part.Batches,
        total.FailedBatches + part.FailedBatches,
        total.Bytes + part.Bytes,
        total.Retries + part.Retries,
        part.Error ?? total.Error));
}
