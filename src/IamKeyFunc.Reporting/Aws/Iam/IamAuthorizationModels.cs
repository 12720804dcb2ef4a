namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>A tag of an IAM user (<c>ListUserTags</c>, or <c>UserDetail/Tags</c> of <c>GetAccountAuthorizationDetails</c>).</summary>
public sealed record IamTag(string Key, string Value);

/// <summary>A managed policy attached to a user or a group: its name and ARN.</summary>
public sealed record IamAttachedPolicy(string PolicyName, string PolicyArn);

/// <summary>An inline policy of a user or a group, its document already URL-decoded to JSON.</summary>
public sealed record IamInlinePolicy(string PolicyName, string Document);

/// <summary>A user as <c>GetAccountAuthorizationDetails</c> describes it.</summary>
public sealed record IamUserDetail(
    string UserName,
    string Arn,
    string Path,
    IReadOnlyList<string> GroupNames,
    IReadOnlyList<IamAttachedPolicy> AttachedPolicies,
    IReadOnlyList<IamInlinePolicy> InlinePolicies,
    IReadOnlyList<IamTag> Tags);

/// <summary>A group as <c>GetAccountAuthorizationDetails</c> describes it.</summary>
public sealed record IamGroupDetail(
    string GroupName, string Arn, IReadOnlyList<IamAttachedPolicy> AttachedPolicies, IReadOnlyList<IamInlinePolicy> InlinePolicies);

/// <summary>A managed policy (customer or AWS managed) with the URL-decoded document of its default version, when listed.</summary>
public sealed record IamManagedPolicyDetail(string PolicyName, string Arn, string? DefaultDocument);

/// <summary>One page of <c>GetAccountAuthorizationDetails</c>: each page may carry users, groups and policies.</summary>
public sealed record AuthorizationDetailsPage(
    IReadOnlyList<IamUserDetail> Users,
    IReadOnlyList<IamGroupDetail> Groups,
    IReadOnlyList<IamManagedPolicyDetail> Policies,
    bool IsTruncated,
    string? Marker);

/// <summary>Every page of <c>GetAccountAuthorizationDetails</c> put together, and how many pages it took.</summary>
public sealed record AccountAuthorizationDetails(
    IReadOnlyList<IamUserDetail> Users,
    IReadOnlyList<IamGroupDetail> Groups,
    IReadOnlyList<IamManagedPolicyDetail> Policies,
    int Pages);

/// <summary>
/// <c>GetAccountSummary</c>'s <c>SummaryMap</c>. <see cref="AccessKeysPresent"/> and <see cref="MfaEnabled"/> are the
/// root user's state (<c>AccountAccessKeysPresent</c>, <c>AccountMFAEnabled</c>); null when the map leaves them out.
/// </summary>
public sealed record IamAccountSummary(IReadOnlyDictionary<string, long> Values)
{
    public bool? AccessKeysPresent => Flag("AccountAccessKeysPresent");

    public bool? MfaEnabled => Flag("AccountMFAEnabled");

    private bool? Flag(string key) => Values.TryGetValue(key, out var value) ? value > 0 : null;
}
