using System.Text.RegularExpressions;

namespace IamKeyFunc.AwsEmulator.Scenario;

/// <summary>
/// The AWS Organization of a scenario: one root, nested OUs, and every account of the scenario as a member (placed by
/// <see cref="EmulatorAccount.ParentId"/>). Only the management account and the registered delegated administrators
/// may call the read operations.
/// </summary>
public sealed partial class EmulatorOrganization
{
    public const string ActiveState = "ACTIVE";

    private static readonly string[] States = ["ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED", "PENDING_ACTIVATION"];

    /// <summary><c>o-</c> and 10 to 32 lower-case letters or digits.</summary>
    public string Id { get; set; } = "o-exampleorg1";

    public string ManagementAccountId { get; set; } = "";

    /// <summary><c>r-</c> and 4 to 32 lower-case letters or digits.</summary>
    public string RootId { get; set; } = "r-ex01";

    public string RootName { get; set; } = "Root";

    /// <summary><c>ALL</c> or <c>CONSOLIDATED_BILLING</c>.</summary>
    public string FeatureSet { get; set; } = "ALL";

    /// <summary>Parents first is not required; every parent must exist and there must be no cycle.</summary>
    public List<EmulatorOrganizationalUnit> OrganizationalUnits { get; set; } = [];

    /// <summary>Accounts registered as delegated administrators: they may call the read operations too.</summary>
    public List<string> DelegatedAdministrators { get; set; } = [];

    /// <summary>The partition of the management account (ARNs of the organization's resources).</summary>
    public string ArnPrefix(EmulatorScenario scenario) =>
        $"arn:{scenario.Account(ManagementAccountId).Partition}:organizations::{ManagementAccountId}";

    /// <summary>
    /// The OU names from the root down to <paramref name="parentId"/>, e.g. <c>Root/Workloads/Prod</c>, as IamKeyFunc's
    /// records write them: a <c>\</c> or <c>/</c> inside a name is escaped with <c>\</c> (<c>Root/Prod\/Payments</c>).
    /// </summary>
    public string PathOf(string? parentId)
    {
        var names = new List<string>();
        var byId = OrganizationalUnits.ToDictionary(o => o.Id, StringComparer.Ordinal);
        for (var id = parentId; id is not null && byId.TryGetValue(id, out var unit); id = unit.ParentId)
        {
            names.Add(unit.Name);
        }

        names.Add(RootName);
        names.Reverse();
        return string.Join('/', names.Select(n => n.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal)));
    }

    internal void Validate(EmulatorScenario scenario)
    {
        if (!OrganizationIdRegex().IsMatch(Id))
        {
            throw new InvalidOperationException($"Organization ID '{Id}' must be o- and 10 to 32 lower-case letters or digits.");
        }

        if (!RootIdRegex().IsMatch(RootId))
        {
            throw new InvalidOperationException($"Root ID '{RootId}' must be r- and 4 to 32 lower-case letters or digits.");
        }

        if (scenario.Accounts.All(a => a.AccountId != ManagementAccountId))
        {
            throw new InvalidOperationException($"The organization's management account '{ManagementAccountId}' is not an account of the scenario.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal) { RootId };
        foreach (var unit in OrganizationalUnits)
        {
            if (!OrganizationalUnitIdRegex().IsMatch(unit.Id) || !ids.Add(unit.Id))
            {
                throw new InvalidOperationException($"OU ID '{unit.Id}' is malformed (ou-xxxx-yyyyyyyy) or appears twice.");
            }
        }

        var parents = OrganizationalUnits.ToDictionary(o => o.Id, o => o.ParentId, StringComparer.Ordinal);
        foreach (var unit in OrganizationalUnits)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var id = unit.ParentId; id != RootId; id = parents[id])
            {
                if (id is null || !parents.ContainsKey(id) || !seen.Add(id))
                {
                    throw new InvalidOperationException($"OU {unit.Id} has a parent '{unit.ParentId}' that is not in the organization, or the OUs form a cycle.");
                }
            }
        }

        foreach (var account in scenario.Accounts)
        {
            if (account.ParentId is { } parent && !ids.Contains(parent))
            {
                throw new InvalidOperationException($"Account {account.AccountId} sits in '{parent}', which is neither the root nor an OU of the organization.");
            }

            if (!States.Contains(account.State, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"Account {account.AccountId} has state '{account.State}'; expected one of {string.Join(", ", States)}.");
            }
        }
    }

    [GeneratedRegex("^o-[a-z0-9]{10,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex OrganizationIdRegex();

    [GeneratedRegex("^r-[0-9a-z]{4,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex RootIdRegex();

    [GeneratedRegex("^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex OrganizationalUnitIdRegex();
}

/// <summary>An organizational unit: <c>ou-{root suffix}-{8 or more}</c>, its name and its parent (the root or an OU).</summary>
public sealed class EmulatorOrganizationalUnit
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string ParentId { get; set; } = "";

    public override string ToString() => $"{Name} ({Id})";
}
