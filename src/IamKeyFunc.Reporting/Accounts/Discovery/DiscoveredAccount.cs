namespace IamKeyFunc.Reporting.Accounts.Discovery;

/// <summary>
/// One account found in the organization: where it sits (<see cref="OrganizationalUnitPath"/>, names from the root such as
/// <c>Root/Workloads/Prod</c>, escaped as <see cref="Configuration.OuPath"/> says; <see cref="AncestorIds"/>, the root and
/// OU IDs above it) and its state. <see cref="Tags"/>
/// holds the account's tags when a tag filter or <c>AccountTagKeys</c> needed them (else empty).
/// </summary>
public sealed record DiscoveredAccount(
    string AccountId,
    string Name,
    string State,
    string ParentId,
    string OrganizationalUnitPath,
    IReadOnlyList<string> AncestorIds,
    IReadOnlyDictionary<string, string> Tags)
{
    public bool IsActive => string.Equals(State, Aws.Organizations.OrganizationAccount.Active, StringComparison.Ordinal);
}

/// <summary>What discovery decided for one account: collected, or not and why (the reason is what its summary row says).</summary>
public sealed record AccountDecision(DiscoveredAccount Account, bool Included, string Reason);

/// <summary>One discovery: the organization, every account with its decision, and what it cost.</summary>
/// <param name="OrganizationId">The organization's ID (<c>o-…</c>).</param>
/// <param name="Decisions">Every account found, in tree order (parents before children).</param>
/// <param name="Calls">Organizations calls made, per operation (retries included).</param>
public sealed record DiscoveryResult(string OrganizationId, IReadOnlyList<AccountDecision> Decisions, IReadOnlyDictionary<string, long> Calls)
{
    public long TotalCalls => Calls.Values.Sum();
}
