namespace IamKeyFunc.Reporting.Retries;

/// <summary>How a signed call ended.</summary>
/// <param name="Last">The last attempt's outcome (the accepted answer, or the failure the call reports).</param>
/// <param name="Verdict"><see cref="AttemptVerdict.Accepted"/>, or why the loop stopped: attempts exhausted
/// (<see cref="AttemptVerdict.Transient"/>), <see cref="AttemptVerdict.Permanent"/>, or a second credential rejection or
/// correction (<see cref="AttemptVerdict.Reauthorize"/>, <see cref="AttemptVerdict.Correct"/>), which the loop does not
/// grant twice.</param>
/// <param name="Sent">Requests sent, free ones included.</param>
/// <param name="Attempts">Counted attempts (free ones excluded).</param>
public sealed record SignedCallResult<T>(T Last, AttemptVerdict Verdict, int Sent, int Attempts)
{
    public bool Accepted => Verdict == AttemptVerdict.Accepted;
}

/// <summary>
/// The one retry loop of every signed HTTP call (AWS SigV4, the Data Collector's SharedKey, Logs Ingestion's bearer
/// token): authorize, sign and send, classify; a rejected credential is dropped and the call re-authorized once, free;
/// a one-time correction (AWS's clock skew) once, free; a transient failure is retried with backoff
/// (<see cref="RetrySchedule"/>) while counted attempts remain; anything else ends the call. Every attempt is signed
/// afresh, so a retry never replays an expired date or signature. Only the caller's cancellation and a failure to
/// authorize are thrown.
/// </summary>
public static class SignedCallLoop
{
    public static async Task<SignedCallResult<TOutcome>> RunAsync<TCredential, TOutcome>(
        SignedCall<TCredential, TOutcome> call, RetrySchedule schedule, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(schedule.MaxAttempts, 1);
        var sent = 0;
        var failures = 0;
        var reauthorized = false;
        var corrected = false;
        while (true)
        {
            using var turn = await call.BeginAttemptAsync(cancellationToken).ConfigureAwait(false);
            var credential = await call.AuthorizeAsync(cancellationToken).ConfigureAwait(false);
            sent++;
            var context = new AttemptContext(sent, failures + 1, !reauthorized, !corrected);
            var outcome = await call.SendAsync(credential, context, cancellationToken).ConfigureAwait(false);
            switch (outcome.Verdict)
            {
                case AttemptVerdict.Accepted:
                    return new SignedCallResult<TOutcome>(outcome.Value, AttemptVerdict.Accepted, sent, failures + 1);
                case AttemptVerdict.Reauthorize when !reauthorized:
                    reauthorized = true;
                    call.OnRetry(AttemptVerdict.Reauthorize, outcome.Value, context, TimeSpan.Zero);
                    await call.ReauthorizeAsync(credential).ConfigureAwait(false);
                    continue;
                case AttemptVerdict.Correct when !corrected:
                    corrected = true;
                    call.OnRetry(AttemptVerdict.Correct, outcome.Value, context, TimeSpan.Zero);
                    continue;
                case AttemptVerdict.Transient:
                    failures++;
                    if (failures >= schedule.MaxAttempts)
                    {
                        return new SignedCallResult<TOutcome>(outcome.Value, AttemptVerdict.Transient, sent, failures);
                    }

                    var delay = schedule.Delay(failures, outcome.RetryAfter);
                    call.OnRetry(AttemptVerdict.Transient, outcome.Value, context, delay);
                    await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                    continue;
                default:
                    return new SignedCallResult<TOutcome>(outcome.Value, outcome.Verdict, sent, failures + 1);
            }
        }
    }
}
