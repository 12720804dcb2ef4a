using System.Collections.Concurrent;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// How far each AWS endpoint's clock is from ours, learnt from the <c>Date</c> header of an answer that rejected a
/// request's time (as the AWS SDKs do). Signing times are corrected by it; one store per process by default.
/// </summary>
public sealed class ClockSkew
{
    /// <summary>Beyond this difference a time-rejected request is retried with the corrected time.</summary>
    internal static readonly TimeSpan Threshold = TimeSpan.FromMinutes(1);

    /// <summary>Error codes AWS uses for a request signed at the wrong time.</summary>
    internal static readonly IReadOnlySet<string> ErrorCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch",
        "AuthFailure",
    };

    private readonly ConcurrentDictionary<string, TimeSpan> _offsets = new(StringComparer.OrdinalIgnoreCase);

    public static ClockSkew Shared { get; } = new();

    /// <summary>The correction to add to our clock for <paramref name="endpoint"/>; zero until one was learnt.</summary>
    public TimeSpan OffsetFor(Uri endpoint) => _offsets.TryGetValue(endpoint.Authority, out var offset) ? offset : TimeSpan.Zero;

    /// <summary>
    /// Learns the offset from a server's <c>Date</c> when a request signed at <paramref name="signedAt"/> was rejected for
    /// its time; true when the correction changed enough to make another attempt worthwhile.
    /// </summary>
    internal bool TryCorrect(Uri endpoint, DateTimeOffset signedAt, DateTimeOffset? serverDate, DateTimeOffset localNow)
    {
        if (serverDate is not { } server || (server - signedAt).Duration() < Threshold)
        {
            return false;
        }

        _offsets[endpoint.Authority] = server - localNow;
        return true;
    }

    /// <summary>A clock for signing requests to <paramref name="endpoint"/>: <paramref name="inner"/> plus the endpoint's offset.</summary>
    internal TimeProvider ClockFor(Uri endpoint, TimeProvider inner) => new SkewedClock(inner, () => OffsetFor(endpoint));

    private sealed class SkewedClock(TimeProvider inner, Func<TimeSpan> offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset();
    }
}
