using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Accounts.Discovery;

/// <summary>
/// The account filters of <c>IamKey:Aws:Discovery</c>, applied in this order: the account must be ACTIVE; not in
/// <c>ExcludeAccountIds</c>; not under an <c>ExcludeOrganizationalUnits</c> entry; under an
/// <c>IncludeOrganizationalUnits</c> entry (when any are set); carrying one of <c>IncludeAccountTags</c> (when any are set).
/// An account listed explicitly in <c>MemberAccountIds</c>/<c>MemberRoleArns</c> passes the filters but not the state check.
/// </summary>
public sealed class DiscoveryFilter
{
    private readonly HashSet<string> _excludedAccounts;
    private readonly HashSet<string> _includedUnits;
    private readonly HashSet<string> _excludedUnits;
    private readonly List<KeyValuePair<string, string>> _includedTags;
    private readonly HashSet<string> _explicitAccounts;

    public DiscoveryFilter(DiscoveryOptions options, IEnumerable<string>? explicitAccountIds = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _excludedAccounts = [.. DiscoveryOptionsValidator.Split(options.ExcludeAccountIds)];
        _includedUnits = [.. DiscoveryOptionsValidator.Split(options.IncludeOrganizationalUnits)];
        _excludedUnits = [.. DiscoveryOptionsValidator.Split(options.ExcludeOrganizationalUnits)];
        _includedTags = [.. DiscoveryOptionsValidator.SplitTags(options.IncludeAccountTags)
            .Select(entry => DiscoveryOptionsValidator.TryParseTag(entry, out var tag) ? tag : default)
            .Where(tag => tag.Key is not null)];
        TagKeys = [.. DiscoveryOptionsValidator.SplitTags(options.AccountTagKeys)];
        _explicitAccounts = [.. explicitAccountIds ?? []];
    }

    /// <summary>The tag keys copied into records (<c>AccountTagKeys</c>).</summary>
    public IReadOnlyList<string> TagKeys { get; }

    /// <summary>True when tags must be read (a tag filter or a tag key is set).</summary>
    public bool NeedsTags => _includedTags.Count > 0 || TagKeys.Count > 0;

    /// <summary>
    /// Whether the account could be collected before its tags are known; accounts that fail here need no
    /// <c>ListTagsForResource</c> call.
    /// </summary>
    public AccountDecision? DecideWithoutTags(DiscoveredAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        const string section = DiscoveryOptions.SectionName;
        if (!account.IsActive)
        {
            return Skip(account, $"The account is {account.State} in AWS Organizations; only ACTIVE accounts are collected.");
        }

        if (_explicitAccounts.Contains(account.AccountId))
        {
            return new AccountDecision(account, true, "Listed in IamKey:Aws:MemberAccountIds or MemberRoleArns.");
        }

        if (_excludedAccounts.Contains(account.AccountId))
        {
            return Skip(account, $"Excluded by {section}:{nameof(DiscoveryOptions.ExcludeAccountIds)}.");
        }

        if (account.AncestorIds.FirstOrDefault(_excludedUnits.Contains) is { } excluded)
        {
            return Skip(account, $"Under {excluded}, excluded by {section}:{nameof(DiscoveryOptions.ExcludeOrganizationalUnits)} ({account.OrganizationalUnitPath}).");
        }

        if (_includedUnits.Count > 0 && !account.AncestorIds.Any(_includedUnits.Contains))
        {
            return Skip(account, $"Not under any of {section}:{nameof(DiscoveryOptions.IncludeOrganizationalUnits)} ({account.OrganizationalUnitPath}).");
        }

        return null;
    }

    /// <summary>The final decision; <paramref name="account"/> carries its tags when <see cref="NeedsTags"/>.</summary>
    public AccountDecision Decide(DiscoveredAccount account)
    {
        if (DecideWithoutTags(account) is { } early)
        {
            return early;
        }

        if (_includedTags.Count > 0 && !_includedTags.Any(tag => account.Tags.TryGetValue(tag.Key, out var value) && string.Equals(value, tag.Value, StringComparison.Ordinal)))
        {
            return Skip(account, $"No tag matches {DiscoveryOptions.SectionName}:{nameof(DiscoveryOptions.IncludeAccountTags)}.");
        }

        return new AccountDecision(account, true, "Included by the discovery filters.");
    }

    /// <summary>Only the tags named by <see cref="TagKeys"/>, for records.</summary>
    public IReadOnlyDictionary<string, string> CopiedTags(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return TagKeys.Where(tags.ContainsKey).ToDictionary(key => key, key => tags[key], StringComparer.Ordinal);
    }

    private static AccountDecision Skip(DiscoveredAccount account, string reason) => new(account, false, reason);
}
