using System.Text.Json.Serialization;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>Exact accounting of one delivery: every record is either delivered or failed.</summary>
/// <param name="Records">Records handed to the sink.</param>
/// <param name="Delivered">Records the service acknowledged (by the first send or by the recovery pass).</param>
/// <param name="Failed">Records not delivered: in batches that failed after their retries (and, after a recovery pass,
/// were still failing when it ended), or refused before sending.</param>
/// <param name="Batches">Requests the records were split into.</param>
/// <param name="FailedBatches">Batches still failed at the end.</param>
/// <param name="Bytes">Body bytes acknowledged (before compression).</param>
/// <param name="Retries">Retried requests (429/5xx/connection faults, key re-reads, and the recovery pass's sends).</param>
/// <param name="Error">The last error, safe to log (no secrets), when anything failed.</param>
public sealed record DeliveryResult(int Records, int Delivered, int Failed, int Batches, int FailedBatches, long Bytes, int Retries, string? Error)
{
    public bool Succeeded => Failed == 0;

    public static DeliveryResult Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, null);

    /// <summary>
    /// Which records failed, by their position in the list handed to the sink, grouped as they were sent, and whether
    /// each group may be sent again (see <see cref="FailedBatch.Resendable"/>). The Data Collector and Logs Ingestion
    /// sinks fill it; a sink that does not leaves it empty (<see cref="FailuresKnown"/> is then false), and its failures
    /// are never re-sent. Empty in a <see cref="Sum"/>, whose positions would mix lists; not serialized (carry failed
    /// batches across processes as <see cref="UndeliveredBatch"/>).
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<FailedBatch> Failures { get; init; } = [];

    /// <summary>Records the recovery pass delivered (they count in <see cref="Delivered"/> too).</summary>
    public int Recovered { get; init; }

    /// <summary>Failed batches the recovery pass delivered whole.</summary>
    public int RecoveredBatches { get; init; }

    /// <summary>True when <see cref="Failures"/> names every failed record.</summary>
    [JsonIgnore]
    public bool FailuresKnown => Failures.Sum(f => f.Positions.Count) == Failed;

    /// <summary>Several deliveries to the same table as one (counts added; the last error kept; <see cref="Failures"/> dropped).</summary>
    public static DeliveryResult Sum(IEnumerable<DeliveryResult> parts) => parts.Aggregate(Empty, (total, part) => new DeliveryResult(
        total.Records + part.Records,
        total.Delivered + part.Delivered,
        total.Failed + part.Failed,
        total.Batches + part.Batches,
        total.FailedBatches + part.FailedBatches,
        total.Bytes + part.Bytes,
        total.Retries + part.Retries,
        part.Error ?? total.Error)
    {
        Recovered = total.Recovered + part.Recovered,
        RecoveredBatches = total.RecoveredBatches + part.RecoveredBatches,
    });

    /// <summary>A sink that threw (a configuration error): every record failed, none may be re-sent, as nothing says which arrived.</summary>
    public static DeliveryResult Thrown(int records, string error) => new(records, 0, records, 0, 0, 0, 0, error);

    /// <summary>The accounting and the failed positions, value for value.</summary>
    public bool Equals(DeliveryResult? other) =>
        other is not null
        && (Records, Delivered, Failed, Batches, FailedBatches, Bytes, Retries, Error, Recovered, RecoveredBatches)
            == (other.Records, other.Delivered, other.Failed, other.Batches, other.FailedBatches, other.Bytes, other.Retries, other.Error, other.Recovered, other.RecoveredBatches)
        && Failures.SequenceEqual(other.Failures);

    public override int GetHashCode() => HashCode.Combine(Records, Delivered, Failed, Batches, FailedBatches, Bytes, Retries, Error);
}

/// <summary>Records of one delivery that did not arrive together (one request, or one record refused before sending).</summary>
/// <param name="Positions">Their positions in the list handed to the sink, ascending.</param>
/// <param name="Resendable">True when sending them again may succeed: the service was throttled, unavailable or
/// unreachable, or the credential (workspace key, token) could not be had. False when the records or the request were
/// refused (a field over the limit, a 400, a key the workspace rejects after a re-read): the same send fails again.</param>
/// <param name="Error">Why, safe to log.</param>
public sealed record FailedBatch(IReadOnlyList<int> Positions, bool Resendable, string Error)
{
    public bool Equals(FailedBatch? other) =>
        other is not null && Resendable == other.Resendable && Error == other.Error && Positions.SequenceEqual(other.Positions);

    public override int GetHashCode() => HashCode.Combine(Resendable, Error, Positions.Count);
}
