namespace IamKeyFunc.Reporting.Delivery;

/// <summary>Accumulates the exact accounting of one delivery; every record ends up delivered or failed.</summary>
internal sealed class DeliveryTally(int records)
{
    public int Delivered { get; private set; }

    public int Failed { get; private set; }

    public int Batches { get; private set; }

    public int FailedBatches { get; private set; }

    public long Bytes { get; private set; }

    public int Retries { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Records refused before sending (a field or the record itself over a limit); they belong to no batch.</summary>
    public void Refused(int count, string error)
    {
        Failed += count;
        Error = error;
    }

    public void BatchDelivered(int count, long bytes)
    {
        Batches++;
        Delivered += count;
        Bytes += bytes;
    }

    public void BatchFailed(int count, string error)
    {
        Batches++;
        FailedBatches++;
        Failed += count;
        Error = error;
    }

    public void Retried(int count = 1) => Retries += count;

    public DeliveryResult ToResult()
    {
        if (Delivered + Failed != records)
        {
            throw new InvalidOperationException($"Delivery accounting is off: {records} records, {Delivered} delivered, {Failed} failed.");
        }

        return new DeliveryResult(records, Delivered, Failed, Batches, FailedBatches, Bytes, Retries, Error);
    }
}
