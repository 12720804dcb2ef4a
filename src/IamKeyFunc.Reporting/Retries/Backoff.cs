namespace IamKeyFunc.Reporting.Retries;

/// <summary>
/// How long to wait before the next attempt, for every client (AWS and Azure): exponential from a base delay, capped at a
/// maximum, with jitter. <c>retry</c> counts the failed attempts so far, starting at 1.
/// </summary>
public static class Backoff
{
    /// <summary>Full jitter: uniform in [0, min(max, base * 2^(retry-1))] (the AWS SDKs' choice).</summary>
    public static TimeSpan FullJitter(int retry, TimeSpan baseDelay, TimeSpan maxDelay) =>
        TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * Ceiling(retry, baseDelay, maxDelay).Ticks));

    /// <summary>Equal jitter: half the ceiling plus up to half again; never near zero, used for polling.</summary>
    public static TimeSpan EqualJitter(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        long ceiling = Ceiling(retry, baseDelay, maxDelay).Ticks;
        return TimeSpan.FromTicks((ceiling / 2) + (long)(Random.Shared.NextDouble() * (ceiling / 2)));
    }

    /// <summary>
    /// The service's own wait when it gave a usable one (see <see cref="RetryAfter"/>), otherwise the ceiling with ±20 %
    /// jitter; never longer than <paramref name="maxDelay"/>.
    /// </summary>
    public static TimeSpan Next(int retry, TimeSpan? retryAfter, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (retryAfter is { } asked && asked >= TimeSpan.Zero)
        {
            return asked < maxDelay ? asked : maxDelay;
        }

        var jittered = Ceiling(retry, baseDelay, TimeSpan.MaxValue).Ticks * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return jittered >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)jittered);
    }

    internal static TimeSpan Ceiling(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        int exponent = Math.Clamp(retry - 1, 0, 30);
        double ticks = Math.Min(maxDelay.Ticks, baseDelay.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)Math.Max(0, ticks));
    }
}
