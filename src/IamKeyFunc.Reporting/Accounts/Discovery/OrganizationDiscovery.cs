using IamKeyFunc.Reporting.Aws.Organizations;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Accounts.Discovery;

/// <summary>
/// Walks the organization top-down, once: <c>DescribeOrganization</c>, <c>ListRoots</c>, then for each root and OU
/// <c>ListOrganizationalUnitsForParent</c> and <c>ListAccountsForParent</c>, so the cost grows with the number of OUs
/// and pages, not with accounts squared. <c>ListTagsForResource</c> is called per account only when a tag filter or
/// <c>AccountTagKeys</c> needs the tags, and only for accounts the other filters keep. Each account's path is its
/// OUs' names joined by <c>/</c>, a <c>/</c> or <c>\</c> inside a name escaped (<see cref="OuPath"/>), so that an OU
/// named <c>Prod/Payments</c> is never read as <c>Payments</c> under <c>Prod</c>. Organizations failures
/// (<see cref="OrganizationsException"/>) pass through: the caller fails the run with the code.
/// </summary>
public static class OrganizationDiscovery
{
    public static async Task<DiscoveryResult> DiscoverAsync(OrganizationsClient client, DiscoveryFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(filter);
        var organization = await client.DescribeOrganizationAsync(cancellationToken).ConfigureAwait(false);
        var decisions = new List<AccountDecision>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string Id, string Path, IReadOnlyList<string> Ancestors)>();
        foreach (var root in (await client.ListRootsAsync(cancellationToken).ConfigureAwait(false)).Reverse())
        {
            pending.Push((root.Id, OuPath.EscapeName(root.Name.Length > 0 ? root.Name : "Root"), [root.Id]));
        }

        while (pending.TryPop(out var parent))
        {
            if (!seen.Add(parent.Id))
            {
                continue; // a server that lists an OU twice must not make the walk loop
            }

            foreach (var account in await client.ListAccountsForParentAsync(parent.Id, cancellationToken).ConfigureAwait(false))
            {
                if (!seen.Add(account.Id))
                {
                    continue;
                }

                var found = new DiscoveredAccount(
                    account.Id, account.Name, account.State, parent.Id, parent.Path, parent.Ancestors, new Dictionary<string, string>(StringComparer.Ordinal));
                var early = filter.DecideWithoutTags(found);
                if (early is { Included: false } || !filter.NeedsTags)
                {
                    decisions.Add(early ?? filter.Decide(found));
                    continue;
                }

                var tags = await client.ListTagsForResourceAsync(account.Id, cancellationToken).ConfigureAwait(false);
                decisions.Add(filter.Decide(found with { Tags = tags }));
            }

            var units = await client.ListOrganizationalUnitsForParentAsync(parent.Id, cancellationToken).ConfigureAwait(false);
            foreach (var unit in units.Reverse())
            {
                pending.Push((unit.Id, OuPath.Child(parent.Path, unit.Name), [.. parent.Ancestors, unit.Id]));
            }
        }

        return new DiscoveryResult(organization.Id, decisions, client.Stats.ApiCalls);
    }
}
