using System.Globalization;
using System.Net;
using Polly.Timeout;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The retry rules shared by the Data Collector sink and the Logs Ingestion client: which answers are retried and how
/// long to wait. The sinks run their own attempt loop (each attempt is re-signed or re-authorized), so the named
/// HTTP clients carry a resilience handler with a per-attempt timeout only.
/// </summary>
internal static class RetryTiming
{
    /// <summary>Service answers worth another attempt: 429 and transient server faults (500, 502, 503, 504); no other 4xx.</summary>
    public static bool IsRetryable(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout;

    /// <summary>Connection faults and per-attempt timeouts (not the caller's cancellation).</summary>
    public static bool IsTransientFault(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException => true,
        TimeoutRejectedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException => true,
        _ => false,
    };

    /// <summary>
    /// The wait before the next attempt: the service's <c>retry-after-ms</c>/<c>Retry-After</c> when given, otherwise
    /// exponential backoff from <paramref name="baseDelay"/> with ±20 % jitter; never longer than <paramref name="maxDelay"/>.
    /// </summary>
    /// <param name="failedAttempt">1 for the first attempt that failed.</param>
    public static TimeSpan NextDelay(int failedAttempt, TimeSpan? retryAfter, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : Min(asked, maxDelay);
        }

        var exponent = Math.Min(failedAttempt - 1, 16);
        var backoff = baseDelay.TotalMilliseconds * Math.Pow(2, exponent) * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return Min(TimeSpan.FromMilliseconds(backoff), maxDelay);
    }

    /// <summary>Reads <c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c> or <c>Retry-After</c> (seconds or an HTTP date).</summary>
    public static TimeSpan? ReadRetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        foreach (var name in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValues(name, out var values)
                && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            {
                return TimeSpan.FromMilliseconds(ms);
            }
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
