namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The batches of one run that failed and may be sent again, as its deliveries record them (thread-safe: accounts
/// deliver from several tasks). The recovery pass takes them (<see cref="Take"/>) after the last account.
/// </summary>
public sealed class DeliveryLedger
{
    private readonly Lock _gate = new();
    private readonly List<UndeliveredBatch> _batches = [];

    /// <summary>Batches waiting for the recovery pass.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _batches.Count;
            }
        }
    }

    /// <summary>Keeps the batches of <paramref name="result"/> that may be sent again (see <see cref="UndeliveredBatch.From"/>); returns <paramref name="result"/>.</summary>
    public DeliveryResult Record<T>(DeliveryTable table, string? origin, IReadOnlyList<T> records, DeliveryResult result)
    {
        var failed = UndeliveredBatch.From(table, origin, records, result);
        if (failed.Count > 0)
        {
            lock (_gate)
            {
                _batches.AddRange(failed);
            }
        }

        return result;
    }

    /// <summary>Removes and returns the waiting batches of <paramref name="tables"/>, in the order they were recorded.</summary>
    public IReadOnlyList<UndeliveredBatch> Take(params DeliveryTable[] tables)
    {
        lock (_gate)
        {
            var taken = _batches.Where(b => tables.Contains(b.Table)).ToList();
            _batches.RemoveAll(b => tables.Contains(b.Table));
            return taken;
        }
    }
}
