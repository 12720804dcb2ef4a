using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// One named threshold policy, compiled from <c>IamKey:Policies:N</c> (or the policy file, or <c>IamKey:Findings</c> for
/// the default): who it applies to (<see cref="Match"/>) and the thresholds it sets.
/// </summary>
/// <param name="Name">The policy's name, carried by every record it applies to (<c>PolicyName</c>).</param>
/// <param name="Profile">The built-in profile it started from.</param>
/// <param name="RotationDays">An active key older than this is <c>RotationOverdue</c>.</param>
/// <param name="UnusedDays">An active key last used longer ago than this is <c>Unused</c>.</param>
/// <param name="NeverUsedGraceDays">An active key never used and older than this is <c>NeverUsedPastGrace</c>.</param>
/// <param name="WarnBeforeDays">Warning windows, largest first (e.g. 14, 7, 1): <c>DueSoon</c> within the largest.</param>
/// <param name="Match">Which keys the policy applies to; <see cref="PolicyMatch.Everything"/> for the default.</param>
public sealed record KeyPolicy(
    string Name,
    PolicyProfile Profile,
    int RotationDays,
    int UnusedDays,
    int NeverUsedGraceDays,
    IReadOnlyList<int> WarnBeforeDays,
    PolicyMatch Match);

/// <summary>The built-in profiles a policy can start from.</summary>
public enum PolicyProfile
{
    /// <summary>The <c>IamKey:Findings</c> thresholds.</summary>
    Default,

    /// <summary>CIS AWS Foundations Benchmark v7.0: rotate at 90 days (2.12), unused at 45 (2.11).</summary>
    CisAwsV7,

    /// <summary>AWS Security Hub CSPM: rotate at 90 days (IAM.3), unused at 45 (IAM.22; IAM.8 at 90).</summary>
    SecurityHub,
}

/// <summary>Where a key's account sits: its ID, and once Organizations discovery knows them, its OU path, OU IDs and tags.</summary>
/// <param name="AccountId">The 12-digit account ID.</param>
/// <param name="OrganizationalUnitPath">OU names from the root, e.g. <c>Root/Workloads/Prod</c> (escaped as <see cref="OuPath"/> says); null when unknown.</param>
/// <param name="Tags">The account's tags; empty when unknown.</param>
public sealed record AccountScope(string AccountId, string? OrganizationalUnitPath, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The root and OU IDs above the account (root first); empty when unknown.</summary>
    public IReadOnlyList<string> OrganizationalUnitIds { get; init; } = [];

    public static AccountScope OfId(string accountId) => new(accountId, null, new Dictionary<string, string>());
}

/// <summary>The owner of a key, as far as a policy looks at it.</summary>
/// <param name="Account">The key's account.</param>
/// <param name="UserName">IAM user name, or <c>&lt;root_account&gt;</c>.</param>
/// <param name="UserPath">The user's path (<c>/</c>, <c>/service/</c>); from the ARN.</param>
/// <param name="UserTags">The user's tags; null when they were not fetched (no policy matches on them).</param>
public sealed record KeyOwner(AccountScope Account, string UserName, string UserPath, IReadOnlyDictionary<string, string>? UserTags)
{
    /// <summary>The path of an IAM user ARN (<c>arn:aws:iam::1:user/service/ci</c> → <c>/service/</c>); <c>/</c> for root and unknown shapes.</summary>
    public static string PathOfArn(string userArn)
    {
        ArgumentNullException.ThrowIfNull(userArn);
        var resource = userArn.Split(':', 6) is { Length: 6 } parts ? parts[5] : "";
        if (!resource.StartsWith("user/", StringComparison.Ordinal))
        {
            return "/";
        }

        var lastSlash = resource.LastIndexOf('/');
        return resource[4..(lastSlash + 1)];
    }
}

/// <summary>A tag condition: the key must be present and, when <see cref="Value"/> is set, equal to it (ordinal: tags are case-sensitive).</summary>
public sealed record TagCondition(string Key, string? Value)
{
    public bool IsMetBy(IReadOnlyDictionary<string, string>? tags) =>
        tags is not null && tags.TryGetValue(Key, out var actual) && (Value is null || string.Equals(actual, Value, StringComparison.Ordinal));

    public override string ToString() => Value is null ? Key : $"{Key}={Value}";
}

/// <summary>
/// Who a policy applies to. Every condition that is set must hold (AND); within one condition, any listed account or OU
/// ID matches, and every listed tag must be present. Only <see cref="Everything"/>, the default policy's match, has no
/// condition: the compiler refuses a configured policy without one.
/// </summary>
/// <param name="OrganizationalUnitPath">A well-formed <see cref="OuPath"/>: the account's OU is this one or below it.</param>
/// <param name="OrganizationalUnitIds">Root or OU IDs: the account is in one of them or below it.</param>
public sealed record PolicyMatch(
    IReadOnlySet<string> AccountIds,
    string? OrganizationalUnitPath,
    IReadOnlySet<string> OrganizationalUnitIds,
    IReadOnlyList<TagCondition> AccountTags,
    string? UserPathPrefix,
    Glob? UserName,
    IReadOnlyList<TagCondition> UserTags)
{
    public static PolicyMatch Everything { get; } = new(new HashSet<string>(), null, new HashSet<string>(), [], null, null, []);

    /// <summary>The policy needs each user's tags (<c>ListUserTags</c>, or the authorization details).</summary>
    public bool NeedsUserTags => UserTags.Count > 0;

    public bool Matches(KeyOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return (AccountIds.Count == 0 || AccountIds.Contains(owner.Account.AccountId))
            && (OrganizationalUnitPath is null || OuPath.IsAtOrUnder(owner.Account.OrganizationalUnitPath, OrganizationalUnitPath))
            && (OrganizationalUnitIds.Count == 0 || owner.Account.OrganizationalUnitIds.Any(OrganizationalUnitIds.Contains))
            && AccountTags.All(t => t.IsMetBy(owner.Account.Tags))
            && (UserPathPrefix is null || owner.UserPath.StartsWith(UserPathPrefix, StringComparison.Ordinal))
            && (UserName is null || UserName.IsMatch(owner.UserName))
            && UserTags.All(t => t.IsMetBy(owner.UserTags));
    }

    /// <summary>The conditions as their settings spell them, e.g. <c>AccountIds 111122223333, UserName ci-*</c>; <c>every key</c> for <see cref="Everything"/>.</summary>
    public override string ToString()
    {
        var conditions = new List<string>();
        if (AccountIds.Count > 0)
        {
            conditions.Add($"AccountIds {string.Join(',', AccountIds.Order(StringComparer.Ordinal))}");
        }

        if (OrganizationalUnitPath is not null)
        {
            conditions.Add($"OrganizationalUnitPath {OrganizationalUnitPath}");
        }

        if (OrganizationalUnitIds.Count > 0)
        {
            conditions.Add($"OrganizationalUnitIds {string.Join(',', OrganizationalUnitIds.Order(StringComparer.Ordinal))}");
        }

        if (AccountTags.Count > 0)
        {
            conditions.Add($"AccountTags {string.Join(',', AccountTags)}");
        }

        if (UserPathPrefix is not null)
        {
            conditions.Add($"UserPath {UserPathPrefix}");
        }

        if (UserName is not null)
        {
            conditions.Add($"UserName {UserName.Pattern}");
        }

        if (UserTags.Count > 0)
        {
            conditions.Add($"UserTags {string.Join(',', UserTags)}");
        }

        return conditions.Count == 0 ? "every key" : string.Join(" and ", conditions);
    }
}
