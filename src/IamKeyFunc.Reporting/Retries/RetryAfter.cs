using System.Globalization;

namespace IamKeyFunc.Reporting.Retries;

/// <summary>
/// The service's own wait: <c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c> or <c>Retry-After</c> (seconds or an HTTP
/// date). Anything unusable (NaN, infinity, negative, garbage, a date in the past) counts as absent; a huge value is
/// kept and bounded by the caller's maximum delay (<see cref="Backoff.Next"/>).
/// </summary>
public static class RetryAfter
{
    private static readonly double MaxMilliseconds = TimeSpan.MaxValue.TotalMilliseconds / 2;

    public static TimeSpan? Read(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var name in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValues(name, out var values) && Milliseconds(values.FirstOrDefault()) is { } wait)
            {
                return wait;
            }
        }

        if (!response.Headers.TryGetValues("Retry-After", out var retryAfter))
        {
            return null;
        }

        string text = retryAfter.FirstOrDefault()?.Trim() ?? "";
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            return seconds > MaxMilliseconds / 1000 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) && date > now)
        {
            return date - now;
        }

        return null;
    }

    private static TimeSpan? Milliseconds(string? text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) || !double.IsFinite(ms) || ms < 0)
        {
            return null;
        }

        return ms > MaxMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(ms);
    }
}
