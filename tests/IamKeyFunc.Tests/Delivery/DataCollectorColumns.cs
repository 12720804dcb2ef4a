namespace IamKeyFunc.Tests.Delivery;

/// <summary>
/// The Data Collector column names of the key record and run summary tables (every property set), as documented in the
/// README; the third table's, the change events', are checked against <c>KeyEvent</c> by <c>Docs/ReadmeTests</c>.
/// </summary>
internal static class DataCollectorColumns
{
    public static readonly string[] KeyRecord =
    [
        "AccessKeyId_s", "AccountAlias_s", "AccountId_s", "AccountName_s", "OrganizationalUnitPath_s", "AccountTags_s", "DiscoverySource_s", "CollectedAt_t", "CredentialReportAgeHours_d", "CredentialReportGeneratedAt_t",
        "DataSource_s", "DaysSinceLastUse_d", "DaysUntilRotationDue_d", "Findings_s", "KeyAgeDays_d", "KeyCreatedAt_t", "KeyIdFormat_s",
        "KeySlot_d", "LastUsedAt_t", "LastUsedRegion_s", "LastUsedService_s", "MfaActive_b", "NeverUsed_b", "NeverUsedPastGrace_b",
        "Partition_s", "PasswordEnabled_b", "RootKey_b", "RotationOverdue_b", "RunId_s", "Severity_s", "Status_s", "TwoActiveKeys_b",
        "Unused_b", "UserArn_s", "UserCreatedAt_t", "UserName_s",
        "DueSoon_b", "ExemptionExpired_b", "PolicyName_s", "DaysUntilBreach_d", "BreachDate_t", "WarningDay_d", "Controls_s", "Exempt_b",
        "ExemptReason_s", "ExemptReference_s", "ExemptUntil_t", "AdminEquivalent_b", "CanManageCredentials_b", "PolicyNames_s", "RiskScore_d",
    ];

    public static readonly string[] RunSummary =
    [
        "AccountAlias_s", "AccountId_s", "AccountName_s", "OrganizationalUnitPath_s", "AccountTags_s", "DiscoverySource_s", "ApiCalls_d", "CollectedAt_t", "CollectorVersion_s", "DurationMs_d", "ErrorCode_s", "ErrorMessage_s",
        "FindingsCount_d", "KeysReported_d", "Mode_s", "Partition_s", "RoleArn_s", "RunId_s", "Status_s", "ThrottledRetries_d", "Trigger_s",
        "UsersScanned_d", "AccountAccessKeysPresent_b", "AccountMfaEnabled_b", "ExemptKeys_d", "UnmatchedExemptions_s",
    ];
}
