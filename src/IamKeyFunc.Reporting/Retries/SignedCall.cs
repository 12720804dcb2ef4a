namespace IamKeyFunc.Reporting.Retries;

/// <summary>What one attempt of a signed call came to, as the service's protocol reads the answer.</summary>
public enum AttemptVerdict
{
    /// <summary>The service accepted the request.</summary>
    Accepted,

    /// <summary>The credential was rejected (an expired session, a rotated key, a revoked token): drop it and try once more, free.</summary>
    Reauthorize,

    /// <summary>A one-time correction (such as the signing clock) makes another attempt worth it, free.</summary>
    Correct,

    /// <summary>Throttling, a server fault, a timeout or a connection fault: back off and try again while attempts remain.</summary>
    Transient,

    /// <summary>Trying again cannot help.</summary>
    Permanent,
}

/// <summary>Where the loop stands when an attempt is classified.</summary>
/// <param name="Sent">Requests sent for the call so far, this one included (free ones too).</param>
/// <param name="Attempt">The counted attempt this is (free ones excluded), from 1.</param>
/// <param name="CanReauthorize">The one free re-authorization is still unused: only then may the call answer <see cref="AttemptVerdict.Reauthorize"/>.</param>
/// <param name="CanCorrect">The one free correction is still unused: only then may the call answer (and apply) <see cref="AttemptVerdict.Correct"/>.</param>
public readonly record struct AttemptContext(int Sent, int Attempt, bool CanReauthorize, bool CanCorrect);

/// <summary>One attempt's answer: the verdict, what the call needs of it afterwards, and the service's own wait.</summary>
public readonly record struct AttemptOutcome<T>(AttemptVerdict Verdict, T Value, TimeSpan? RetryAfter = null);

/// <summary>
/// One signed HTTP call, step by step, for <see cref="SignedCallLoop"/>: authorize (credentials, a key, a token), sign
/// and send one attempt and classify its answer, re-authorize when the credential was rejected. Each client (AWS,
/// Data Collector, Logs Ingestion) has one small subclass; the loop owns the order of the steps, the free
/// re-authorization and correction, the attempt count and the backoff.
/// </summary>
/// <typeparam name="TCredential">What an attempt is signed with.</typeparam>
/// <typeparam name="TOutcome">What an attempt produced (an answer, or the error it carried).</typeparam>
public abstract class SignedCall<TCredential, TOutcome>
{
    /// <summary>Taken before each attempt and held through its backoff (the AWS rate pacer's lease); null for none.</summary>
    public virtual ValueTask<IDisposable?> BeginAttemptAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>The credential for the next attempt. A failure to get one is thrown and ends the call.</summary>
    public abstract ValueTask<TCredential> AuthorizeAsync(CancellationToken cancellationToken);

    /// <summary>Signs and sends one attempt, and classifies the answer (a connection fault or timeout is an answer too).</summary>
    public abstract Task<AttemptOutcome<TOutcome>> SendAsync(TCredential credential, AttemptContext context, CancellationToken cancellationToken);

    /// <summary>Drops <paramref name="rejected"/> so the next <see cref="AuthorizeAsync"/> gets a fresh one.</summary>
    public abstract ValueTask ReauthorizeAsync(TCredential rejected);

    /// <summary>Told before each further attempt (to count and log it): why, and the wait (zero for a free one).</summary>
    public virtual void OnRetry(AttemptVerdict why, TOutcome outcome, AttemptContext context, TimeSpan delay)
    {
    }
}
