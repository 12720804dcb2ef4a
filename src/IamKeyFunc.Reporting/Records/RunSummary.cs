namespace IamKeyFunc.Reporting.Records;

/// <summary>
/// One row per account per run: the <c>AwsAccessKeyRunSummary</c> table (the collector's heartbeat).
/// </summary>
public sealed record RunSummary
{
    public required string RunId { get; init; }

    /// <summary><c>timer</c>, <c>http</c> or <c>cli</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>When the run started (UTC). Used as <c>TimeGenerated</c> by both sinks.</summary>
    public required DateTimeOffset CollectedAt { get; init; }

    public required string Partition { get; init; }

    public required string AccountId { get; init; }

    public string? AccountAlias { get; init; }

    /// <summary>The account's name in AWS Organizations; null when accounts are not discovered.</summary>
    public string? AccountName { get; init; }

    /// <summary>The OU names from the root down to the account, e.g. <c>Root/Workloads/Prod</c>; null when accounts are not discovered.</summary>
    public string? OrganizationalUnitPath { get; init; }

    /// <summary>
    /// The account tags named by <c>IamKey:Aws:Discovery:AccountTagKeys</c>: a JSON object (a <c>dynamic</c> column in
    /// Logs Ingestion, its JSON text in the Data Collector table); null when none are copied.
    /// </summary>
    public IReadOnlyDictionary<string, string>? AccountTags { get; init; }

    /// <summary>How the account was found: <c>Static</c> (listed in the settings) or <c>Organizations</c> (discovered).</summary>
    public string DiscoverySource { get; init; } = "Static";

    /// <summary>The role the collector used in this account.</summary>
    public required string RoleArn { get; init; }

    /// <summary><c>live</c> or <c>report</c>.</summary>
    public required string Mode { get; init; }

    /// <summary><c>Succeeded</c>, <c>Failed</c> or <c>Skipped</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The AWS or Azure error code when the account failed (e.g. <c>AccessDenied</c>).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>A short message that never contains a secret.</summary>
    public string? ErrorMessage { get; init; }

    public required int UsersScanned { get; init; }

    public required int KeysReported { get; init; }

    public required int FindingsCount { get; init; }

    public required int ApiCalls { get; init; }

    public required int ThrottledRetries { get; init; }

    public required double DurationMs { get; init; }

    public required string CollectorVersion { get; init; }

    /// <summary>The root user has access keys (<c>GetAccountSummary</c> <c>AccountAccessKeysPresent</c>); null when unknown.</summary>
    public bool? AccountAccessKeysPresent { get; init; }

    /// <summary>The root user has MFA (<c>GetAccountSummary</c> <c>AccountMFAEnabled</c>); null when unknown.</summary>
    public bool? AccountMfaEnabled { get; init; }

    /// <summary>Keys covered by an exemption in force.</summary>
    public int ExemptKeys { get; init; }

    /// <summary>Comma-separated exemptions that matched no key in this run (reported once, on the account they name).</summary>
    public string? UnmatchedExemptions { get; init; }
}
