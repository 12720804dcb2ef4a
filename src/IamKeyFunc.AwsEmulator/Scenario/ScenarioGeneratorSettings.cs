namespace IamKeyFunc.AwsEmulator.Scenario;

/// <summary>
/// What <see cref="ScenarioGenerator.Generate"/> builds. Defaults follow the benchmark's key distribution. Shares are exact per
/// account (rounded), not probabilities, so the ground truth of a seed is stable.
/// </summary>
public sealed record ScenarioGeneratorSettings
{
    public int Seed { get; init; } = 1;

    public int Accounts { get; init; } = 1;

    public int UsersPerAccount { get; init; } = 100;

    /// <summary>Share of users with no access key (people who sign in through SSO).</summary>
    public double NoKeyShare { get; init; } = 0.50;

    /// <summary>Share of users with exactly one key; the rest (default 15 %) have two.</summary>
    public double OneKeyShare { get; init; } = 0.35;

    /// <summary>Share of keys that were never used.</summary>
    public double NeverUsedKeyShare { get; init; } = 0.20;

    /// <summary>Share of keys that are inactive.</summary>
    public double InactiveKeyShare { get; init; } = 0.10;

    /// <summary>Key and user ages are spread uniformly up to this.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(730);

    /// <summary>Share of accounts whose root user has an access key.</summary>
    public double RootKeyShare { get; init; } = 0.10;

    /// <summary>How many member accounts (the last ones) have a member role that does not trust the central role.</summary>
    public int DenyingMemberAccounts { get; init; }

    /// <summary>
    /// Puts the accounts in an AWS Organization (the first account is the management account, at the root) with this many
    /// OUs: three under the root, three under each of those, and so on (a ternary tree, filled breadth-first). The other
    /// accounts are spread over the OUs round-robin. 0 = no organization unless <see cref="Organization"/> is set.
    /// </summary>
    public int OrganizationalUnits { get; init; }

    /// <summary>Puts the accounts in an organization even with no OUs (all at the root).</summary>
    public bool Organization { get; init; }

    /// <summary>In an organization: how many member accounts (the last ones before the denying ones) are SUSPENDED.</summary>
    public int SuspendedAccounts { get; init; }

    public string TenantId { get; init; } = "00000000-1111-2222-3333-444444444444";

    public string AppId { get; init; } = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    /// <summary>The managed identity's object ID, the token's <c>sub</c>.</summary>
    public string Subject { get; init; } = "99999999-8888-7777-6666-555555555555";

    public string Partition { get; init; } = "aws";

    public string CentralRoleName { get; init; } = "IamKeyFuncReader";

    public string MemberRoleName { get; init; } = "IamKeyFuncMember";

    public int CentralRoleMaxSessionSeconds { get; init; } = 3600;

    public string Audience => $"api://{AppId}";
}
