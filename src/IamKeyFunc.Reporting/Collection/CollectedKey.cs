namespace IamKeyFunc.Reporting.Collection;

/// <summary>One access key as collected, before formatting and findings: the facts shared by both freshness modes.</summary>
/// <param name="UserName">IAM user name, or <c>&lt;root_account&gt;</c>.</param>
/// <param name="UserArn">The user's (or the root's) ARN.</param>
/// <param name="UserCreatedAt">User creation time.</param>
/// <param name="PasswordEnabled">From the credential report; null when unknown.</param>
/// <param name="MfaActive">From the credential report; null when unknown.</param>
/// <param name="AccessKeyId">The full key ID; null for root keys (the report does not disclose them).</param>
/// <param name="Slot">1 or 2: the credential report's <c>access_key_N</c> slot (creation order within the user).</param>
/// <param name="Active">Status <c>Active</c>.</param>
/// <param name="CreatedAt">Key creation time (root keys: <c>access_key_N_last_rotated</c>).</param>
/// <param name="LastUsed">Last use, or null when never used.</param>
/// <param name="IsRoot">The key belongs to the root user.</param>
/// <param name="FromReport">The last-use data came from the credential report rather than <c>GetAccessKeyLastUsed</c>.</param>
public sealed record CollectedKey(
    string UserName,
    string UserArn,
    DateTimeOffset? UserCreatedAt,
    bool? PasswordEnabled,
    bool? MfaActive,
    string? AccessKeyId,
    int Slot,
    bool Active,
    DateTimeOffset? CreatedAt,
    KeyUse? LastUsed,
    bool IsRoot,
    bool FromReport)
{
    /// <summary>The key's owner as <c>GetAccessKeyLastUsed</c> names it (live mode), when it answered with one.</summary>
    public string? OwnerFromLastUse { get; init; }
}

/// <summary>When, where and with which service a key was last used. Region and service may be unknown (<c>N/A</c>).</summary>
public sealed record KeyUse(DateTimeOffset At, string? Region, string? Service);
