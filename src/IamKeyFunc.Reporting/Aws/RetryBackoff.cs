namespace IamKeyFunc.Reporting.Aws;

/// <summary>Exponential backoff capped at a maximum, with jitter.</summary>
internal static class RetryBackoff
{
    /// <summary>Full jitter: uniform in [0, min(max, base * 2^(retry-1))]; <paramref name="retry"/> starts at 1.</summary>
    public static TimeSpan FullJitter(int retry, TimeSpan baseDelay, TimeSpan maxDelay) =>
        TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * Ceiling(retry, baseDelay, maxDelay).Ticks));

    /// <summary>Equal jitter: half the ceiling plus up to half again; never near zero, used for polling.</summary>
    public static TimeSpan EqualJitter(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        long ceiling = Ceiling(retry, baseDelay, maxDelay).Ticks;
        return TimeSpan.FromTicks((ceiling / 2) + (long)(Random.Shared.NextDouble() * (ceiling / 2)));
    }

    internal static TimeSpan Ceiling(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        int exponent = Math.Clamp(retry - 1, 0, 30);
        double ticks = Math.Min(maxDelay.Ticks, baseDelay.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)Math.Max(0, ticks));
    }
}
