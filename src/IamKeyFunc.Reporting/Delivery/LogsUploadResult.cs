namespace IamKeyFunc.Reporting.Delivery;

/// <summary>One accepted request: 204 after <paramref name="Attempts"/> attempts.</summary>
public sealed record LogsUploadResponse(int Status, string ClientRequestId, string? RequestId, int Attempts);

/// <summary>One batch of a Logs Ingestion upload.</summary>
/// <param name="RecordIndexes">Positions of the batch's records in the caller's sequence.</param>
/// <param name="UncompressedBytes">JSON array length before gzip.</param>
/// <param name="CompressedBytes">Body length as sent.</param>
/// <param name="Attempts">Requests made for this batch (0 when it was not sent).</param>
/// <param name="Error">Why the batch failed; null when it was accepted.</param>
public sealed record LogsUploadBatch(IReadOnlyList<int> RecordIndexes, int UncompressedBytes, int CompressedBytes, int Attempts, LogsIngestionException? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>The outcome of every batch of an upload; failed batches are reported here rather than thrown.</summary>
public sealed record LogsUploadResult(IReadOnlyList<LogsUploadBatch> Batches)
{
    public int Delivered => Batches.Where(b => b.Succeeded).Sum(b => b.RecordIndexes.Count);

    public int Failed => Batches.Where(b => !b.Succeeded).Sum(b => b.RecordIndexes.Count);
}
