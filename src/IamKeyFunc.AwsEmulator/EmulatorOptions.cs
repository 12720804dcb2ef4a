using Microsoft.Extensions.Logging;

namespace IamKeyFunc.AwsEmulator;

/// <summary>
/// Behaviour knobs. Everything with a setter may be changed while the server runs (tests flip them mid-run);
/// each request reads the current values.
/// </summary>
public sealed class EmulatorOptions
{
    /// <summary>The emulator's only clock: session expiry, JWT expiry, request-date skew, report age, rate limiter, latency.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logs one debug line per request (action, account, status); never credentials.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Loopback port; 0 (default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seed of the randomness used for page shrinking.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Delay added to every call before it is answered (waited on <see cref="TimeProvider"/>).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Per-account token bucket over IAM calls; null = unlimited. Excess calls get HTTP 400 <c>Throttling</c>.</summary>
    public EmulatorRateLimit? RateLimit { get; set; }

    /// <summary>One token bucket over all Organizations calls; null = unlimited. Excess calls get HTTP 400 <c>TooManyRequestsException</c>.</summary>
    public EmulatorRateLimit? OrganizationsRateLimit { get; set; }

    /// <summary>
    /// Largest Organizations page answered, whatever <c>MaxResults</c> asks (AWS may answer fewer, with a <c>NextToken</c>);
    /// also the page size when no <c>MaxResults</c> is given and of <c>ListTagsForResource</c>, which has none.
    /// </summary>
    public int OrganizationsMaxPageSize { get; set; } = 20;

    /// <summary>How long a credential report takes from <c>STARTED</c> to <c>COMPLETE</c>.</summary>
    public TimeSpan CredentialReportDelay { get; set; }

    /// <summary>Age after which a credential report is expired (<c>ReportExpired</c>) and regenerated; IAM uses 4 hours.</summary>
    public TimeSpan CredentialReportMaxAge { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// When true (IAM's observed behaviour), <c>access_key_N_last_rotated</c> shows the creation time of inactive keys too;
    /// when false, it shows <c>N/A</c> for inactive keys, as the credential-report documentation words it.
    /// </summary>
    public bool ReportLastRotatedForInactiveKeys { get; set; } = true;

    /// <summary>Caps the lifetime of issued sessions below what was asked (to exercise refreshing); null = no cap.</summary>
    public TimeSpan? MaxSessionDuration { get; set; }

    /// <summary>Allowed difference between the request's <c>X-Amz-Date</c> and the emulator's clock (AWS: 5 minutes).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Probability that a paged list answers fewer items than <c>MaxItems</c> while more remain (IsTruncated stays true),
    /// as IAM documents it may; catches clients that stop on item count.
    /// </summary>
    public double ShrinkPageProbability { get; set; }

    /// <summary>Injected failures (error answers, aborted connections).</summary>
    public EmulatorFaults Faults { get; } = new();
}

/// <summary>A token bucket: <paramref name="CallsPerSecond"/> refill rate, <paramref name="Burst"/> capacity.</summary>
public sealed record EmulatorRateLimit(double CallsPerSecond, int Burst)
{
    public static EmulatorRateLimit PerSecond(double callsPerSecond) => new(callsPerSecond, Math.Max(1, (int)Math.Ceiling(callsPerSecond)));
}
