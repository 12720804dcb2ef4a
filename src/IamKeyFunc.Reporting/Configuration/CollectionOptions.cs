using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>How the inventory is collected: section <c>IamKey:Collection</c>.</summary>
public sealed class CollectionOptions
{
    public const string SectionName = "IamKey:Collection";

    /// <summary><c>Live</c>: GetAccessKeyLastUsed per key (exact). <c>Report</c>: last use from the credential report (up to 4 h old), far fewer calls.</summary>
    public FreshnessMode Mode { get; set; } = FreshnessMode.Live;

    /// <summary>How key IDs appear in records: <c>Masked</c> (AKIA…WXYZ), <c>Full</c>, or <c>Sha256</c> (joins to CloudTrail with KQL hash_sha256()).</summary>
    public KeyIdFormat KeyIdFormat { get; set; } = KeyIdFormat.Masked;

    /// <summary>
    /// Accounts collected at the same time. IAM rate-limits each account separately, so accounts in parallel do not slow
    /// each other; each account's records are delivered and let go as soon as it is done, so memory grows with this
    /// number, not with the organisation. The default's measurements: docs/benchmarks.md, "Why the defaults".
    /// </summary>
    [Range(1, 1000, ErrorMessage = "{0} must be between 1 and 1000.")]
    public int MaxParallelAccounts { get; set; } = 64;

    /// <summary>Upper bound of IAM requests in flight per account: a safety net under the adaptive rate pacer, which learns each account's rate from throttling.</summary>
    [Range(1, 64, ErrorMessage = "{0} must be between 1 and 64.")]
    public int MaxConcurrentRequestsPerAccount { get; set; } = 8;

    /// <summary>
    /// Attempts per IAM request (first try included) on Throttling, 5xx and connection faults; an account fails when one
    /// request exhausts them. The default's measurements: docs/benchmarks.md, "Why the defaults".
    /// </summary>
    [Range(1, 20, ErrorMessage = "{0} must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>First retry delay; doubles per attempt with full jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "{0} must be between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "{0} must be between 00:00:00 and 00:05:00.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to wait for IAM to generate the credential report.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00", ErrorMessage = "{0} must be between 00:00:01 and 00:30:00.")]
    public TimeSpan CredentialReportTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>MaxItems</c> asked per <c>ListUsers</c> page (IAM allows 1-1000). Lower it only for endpoints that page badly.</summary>
    [Range(1, 1000, ErrorMessage = "{0} must be between 1 and 1000.")]
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// How long one account may take, from its first call to its last. When it passes, the account fails with the code
    /// <c>Timeout</c> and the other accounts carry on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00", ErrorMessage = "{0} must be between 00:00:01 and 06:00:00.")]
    public TimeSpan AccountTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A credential report older than this when read gives the account's summary a <c>StaleCredentialReport</c> warning
    /// (report mode's last-use data is then older than that). IAM regenerates a report at most every 4 hours, so the
    /// default allows one regeneration period plus the time it takes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "{0} must be between 00:01:00 and 30.00:00:00.")]
    public TimeSpan MaxReportAge { get; set; } = TimeSpan.FromHours(5);

    /// <summary>Per-request timeout for IAM calls.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "{0} must be between 00:00:01 and 00:05:00.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Read each account's users, groups and policies (<c>GetAccountAuthorizationDetails</c>, a few pages per account) for
    /// <c>AdminEquivalent</c>, <c>CanManageCredentials</c> and <c>PolicyNames</c>. Needs <c>iam:GetAccountAuthorizationDetails</c>.
    /// </summary>
    public bool PrivilegeScan { get; set; }
}

public enum FreshnessMode
{
    Live,
    Report,
}

public enum KeyIdFormat
{
    Masked,
    Full,
    Sha256,
}
