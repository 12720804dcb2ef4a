namespace IamKeyFunc.Reporting.Records;

/// <summary>
/// One row per IAM access key per run: the <c>AwsAccessKeyReport</c> table.
/// Property names are the column names (Logs Ingestion) or the column stems (Data Collector adds
/// <c>_s</c>, <c>_d</c>, <c>_b</c>, <c>_t</c>). Tests check the Bicep table schema, the README column list
/// and the sinks against this type, so change them together.
/// </summary>
public sealed record KeyRecord
{
    /// <summary>Run identifier, <c>yyyyMMddTHHmmssZ-xxxxxxxx</c> (not GUID-shaped on purpose: Data Collector would turn it into a <c>_g</c> column).</summary>
    public required string RunId { get; init; }

    /// <summary>When the run started (UTC). Used as <c>TimeGenerated</c> by both sinks.</summary>
    public required DateTimeOffset CollectedAt { get; init; }

    /// <summary><c>aws</c>, <c>aws-cn</c> or <c>aws-us-gov</c>.</summary>
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

    /// <summary>IAM user name, or <c>&lt;root_account&gt;</c> for the account root user.</summary>
    public required string UserName { get; init; }

    public required string UserArn { get; init; }

    public DateTimeOffset? UserCreatedAt { get; init; }

    /// <summary>From the credential report; null when the report was unavailable.</summary>
    public bool? PasswordEnabled { get; init; }

    /// <summary>From the credential report; null when the report was unavailable.</summary>
    public bool? MfaActive { get; init; }

    /// <summary>The key ID in the configured <see cref="KeyIdFormat"/>; null for root keys, whose IDs IAM does not disclose to a role.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary><c>Masked</c>, <c>Full</c> or <c>Sha256</c>.</summary>
    public required string KeyIdFormat { get; init; }

    /// <summary>1 or 2, the credential report's <c>access_key_N</c> slot.</summary>
    public required int KeySlot { get; init; }

    /// <summary><c>Active</c> or <c>Inactive</c>.</summary>
    public required string Status { get; init; }

    public DateTimeOffset? KeyCreatedAt { get; init; }

    public int? KeyAgeDays { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public string? LastUsedRegion { get; init; }

    public string? LastUsedService { get; init; }

    public int? DaysSinceLastUse { get; init; }

    public required bool NeverUsed { get; init; }

    /// <summary><c>live</c> (GetAccessKeyLastUsed) or <c>report</c> (credential report).</summary>
    public required string DataSource { get; init; }

    public DateTimeOffset? CredentialReportGeneratedAt { get; init; }

    /// <summary>How old the credential report was when the run read it; the staleness of report-mode last-use data.</summary>
    public double? CredentialReportAgeHours { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.RotationOverdue</c>.</summary>
    public bool RotationOverdue { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.Unused</c>.</summary>
    public bool Unused { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.NeverUsedPastGrace</c>.</summary>
    public bool NeverUsedPastGrace { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.TwoActiveKeys</c>.</summary>
    public bool TwoActiveKeys { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.RootKey</c>.</summary>
    public bool RootKey { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.DueSoon</c>.</summary>
    public bool DueSoon { get; init; }

    /// <summary>A finding column, written by <c>Evaluation.FindingRules.ExemptionExpired</c>.</summary>
    public bool ExemptionExpired { get; init; }

    /// <summary>Days left before the rotation threshold; negative once overdue; null for inactive keys.</summary>
    public int? DaysUntilRotationDue { get; init; }

    /// <summary>Comma-separated finding names (empty when none), e.g. <c>RotationOverdue,Unused</c>.</summary>
    public required string Findings { get; init; }

    /// <summary><c>None</c>, <c>Low</c>, <c>Medium</c>, <c>High</c> or <c>Critical</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>The key policy that applies to the key (<c>Default</c>: the <c>IamKey:Findings</c> thresholds).</summary>
    public required string PolicyName { get; init; }

    /// <summary>Fewest days until a threshold of the policy is crossed; negative once crossed; null for inactive keys.</summary>
    public int? DaysUntilBreach { get; init; }

    /// <summary>When that threshold is (or was) crossed.</summary>
    public DateTimeOffset? BreachDate { get; init; }

    /// <summary>The smallest of the policy's <c>WarnBeforeDays</c> the breach falls within, while <c>DueSoon</c>.</summary>
    public int? WarningDay { get; init; }

    /// <summary>Compliance controls the findings violate, e.g. <c>CIS-2.11,SecurityHub-IAM.22</c>; empty when none.</summary>
    public required string Controls { get; init; }

    /// <summary>An exemption in force covers the key (it keeps its findings).</summary>
    public required bool Exempt { get; init; }

    /// <summary>The matching exemption's reason (also once it has expired).</summary>
    public string? ExemptReason { get; init; }

    /// <summary>The matching exemption's ticket.</summary>
    public string? ExemptReference { get; init; }

    /// <summary>When the matching exemption ends (or ended).</summary>
    public DateTimeOffset? ExemptUntil { get; init; }

    /// <summary>Privilege scan: the user has AdministratorAccess or Allow * on *; null without the scan, except for root keys (always true).</summary>
    public bool? AdminEquivalent { get; init; }

    /// <summary>Privilege scan: the user may mint or change credentials on *; null without the scan.</summary>
    public bool? CanManageCredentials { get; init; }

    /// <summary>Privilege scan: the user's policies, <c>Group/Policy</c> for a group's; null without the scan.</summary>
    public string? PolicyNames { get; init; }

    /// <summary>0-100, the README's formula; 0 for inactive keys.</summary>
    public required int RiskScore { get; init; }
}
