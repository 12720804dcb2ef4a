namespace IamKeyFunc.Reporting.Retries;

/// <summary>How the wait before a retry is drawn.</summary>
public enum BackoffJitter
{
    /// <summary>Uniform in [0, ceiling] (<see cref="Backoff.FullJitter"/>, the AWS SDKs' choice); a service's <c>Retry-After</c> is not read.</summary>
    Full,

    /// <summary>The service's <c>Retry-After</c> when usable, otherwise the ceiling ±20 % (<see cref="Backoff.Next"/>): the Azure services.</summary>
    RetryAfterOrProportional,
}

/// <summary>
/// The attempt rules of one signed call: <paramref name="MaxAttempts"/> counted attempts (the first included; a
/// re-authorization or a one-time correction is free), the first backoff ceiling (doubling per retry) and the longest wait.
/// </summary>
public sealed record RetrySchedule(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay, BackoffJitter Jitter)
{
    /// <summary>The wait after the <paramref name="failures"/>-th failed attempt (from 1).</summary>
    public TimeSpan Delay(int failures, TimeSpan? retryAfter) => Jitter == BackoffJitter.Full
        ? Backoff.FullJitter(failures, BaseDelay, MaxDelay)
        : Backoff.Next(failures, retryAfter, BaseDelay, MaxDelay);
}
