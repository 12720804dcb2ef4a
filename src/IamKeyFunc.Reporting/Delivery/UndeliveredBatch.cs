using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>The three tables a run delivers.</summary>
public enum DeliveryTable
{
    KeyRecords,
    KeyEvents,
    RunSummaries,
}

/// <summary>
/// Records one delivery sent and the service did not accept, exactly as they were sent together, kept so that the
/// recovery pass (<see cref="DeliveryRecovery"/>) can send them again, and only them: a batch whose records were
/// accepted is never in it. Plain data (one list filled, for <see cref="Table"/>), so an engine can carry it between
/// processes (a Durable activity's result).
/// </summary>
public sealed record UndeliveredBatch
{
    public required DeliveryTable Table { get; init; }

    /// <summary>Which delivery the records came from: the account ID for an account's key records; null for the run's
    /// change events and run summaries, which go in one delivery each.</summary>
    public string? Origin { get; init; }

    /// <summary>The records' positions in the list that delivery handed to the sink (ascending).</summary>
    public required IReadOnlyList<int> Positions { get; init; }

    public IReadOnlyList<KeyRecord> KeyRecords { get; init; } = [];

    public IReadOnlyList<KeyEvent> KeyEvents { get; init; } = [];

    public IReadOnlyList<RunSummary> RunSummaries { get; init; } = [];

    /// <summary>Why the batch failed last, safe to log.</summary>
    public required string Error { get; init; }

    public int Count => Positions.Count;

    /// <summary>
    /// The batches of <paramref name="result"/> that may be sent again (<see cref="FailedBatch.Resendable"/>), each with its
    /// records taken from <paramref name="records"/>, the list that delivery sent. Empty when the sink did not say which
    /// records failed: what cannot be named is not re-sent, so nothing is sent twice.
    /// </summary>
    public static IReadOnlyList<UndeliveredBatch> From<T>(DeliveryTable table, string? origin, IReadOnlyList<T> records, DeliveryResult result)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.FailuresKnown)
        {
            return [];
        }

        return [.. result.Failures.Where(f => f.Resendable).Select(f => Of(table, origin, f.Positions, f.Positions.Select(p => records[p]).ToList(), f.Error))];
    }

    /// <summary>A batch of <paramref name="records"/> (of the table's record type) at <paramref name="positions"/>.</summary>
    internal static UndeliveredBatch Of<T>(DeliveryTable table, string? origin, IReadOnlyList<int> positions, IReadOnlyList<T> records, string error)
    {
        var batch = new UndeliveredBatch { Table = table, Origin = origin, Positions = positions, Error = error };
        return (table, records) switch
        {
            (DeliveryTable.KeyRecords, IReadOnlyList<KeyRecord> keys) => batch with { KeyRecords = keys },
            (DeliveryTable.KeyEvents, IReadOnlyList<KeyEvent> events) => batch with { KeyEvents = events },
            (DeliveryTable.RunSummaries, IReadOnlyList<RunSummary> summaries) => batch with { RunSummaries = summaries },
            _ => throw new ArgumentException($"{typeof(T).Name} records do not belong to {table}.", nameof(records)),
        };
    }

    /// <summary>The same batch narrowed to the records at <paramref name="indexes"/> (positions within this batch).</summary>
    internal UndeliveredBatch Subset(IReadOnlyList<int> indexes, string error) => this with
    {
        Positions = [.. indexes.Select(i => Positions[i])],
        KeyRecords = Table == DeliveryTable.KeyRecords ? [.. indexes.Select(i => KeyRecords[i])] : [],
        KeyEvents = Table == DeliveryTable.KeyEvents ? [.. indexes.Select(i => KeyEvents[i])] : [],
        RunSummaries = Table == DeliveryTable.RunSummaries ? [.. indexes.Select(i => RunSummaries[i])] : [],
        Error = error,
    };

    /// <summary>Sends the batch's records to the sink, to its table.</summary>
    internal Task<DeliveryResult> SendAsync(IReportSink sink, CancellationToken cancellationToken) => Table switch
    {
        DeliveryTable.KeyRecords => sink.SendKeyRecordsAsync(KeyRecords, cancellationToken),
        DeliveryTable.KeyEvents => sink.SendKeyEventsAsync(KeyEvents, cancellationToken),
        DeliveryTable.RunSummaries => sink.SendRunSummariesAsync(RunSummaries, cancellationToken),
        _ => throw new InvalidOperationException($"Unknown table {Table}."),
    };
}
