namespace IamKeyFunc.Reporting.Delivery;

/// <summary>Accumulates the exact accounting of one delivery; every record ends up delivered or failed, and each failed one is named.</summary>
internal sealed class DeliveryTally(int records)
{
    private readonly List<FailedBatch> _failures = [];

    public int Delivered { get; private set; }

    public int Failed { get; private set; }

    public int Batches { get; private set; }

    public int FailedBatches { get; private set; }

    public long Bytes { get; private set; }

    public int Retries { get; private set; }

    public string? Error { get; private set; }

    /// <summary>A record refused before sending (a field or the record itself over a limit); it belongs to no batch and is never re-sent.</summary>
    public void Refused(int position, string error)
    {
        Failed++;
        Error = error;
        _failures.Add(new FailedBatch([position], Resendable: false, error));
    }

    public void BatchDelivered(int count, long bytes)
    {
        Batches++;
        Delivered += count;
        Bytes += bytes;
    }

    /// <param name="positions">The batch's records, by position in the list handed to the sink.</param>
    /// <param name="resendable">See <see cref="FailedBatch.Resendable"/>.</param>
    public void BatchFailed(IReadOnlyList<int> positions, string error, bool resendable)
    {
        Batches++;
        FailedBatches++;
        Failed += positions.Count;
        Error = error;
        _failures.Add(new FailedBatch(positions, resendable, error));
    }

    public void Retried(int count = 1) => Retries += count;

    public DeliveryResult ToResult()
    {
        if (Delivered + Failed != records)
        {
            throw new InvalidOperationException($"Delivery accounting is off: {records} records, {Delivered} delivered, {Failed} failed.");
        }

        return new DeliveryResult(records, Delivered, Failed, Batches, FailedBatches, Bytes, Retries, Error)
        {
            Failures = [.. _failures.OrderBy(f => f.Positions[0])],
        };
    }
}
