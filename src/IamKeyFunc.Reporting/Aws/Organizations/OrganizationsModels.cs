namespace IamKeyFunc.Reporting.Aws.Organizations;

/// <summary>From <c>DescribeOrganization</c>.</summary>
public sealed record OrganizationInfo(string Id, string ManagementAccountId, string FeatureSet);

/// <summary>A root (<c>r-…</c>) or an organizational unit (<c>ou-…</c>): a parent in the tree.</summary>
public sealed record OrganizationParent(string Id, string Name);

/// <summary>
/// A member account. <see cref="State"/> is the model's <c>State</c> (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED,
/// PENDING_ACTIVATION), or the older <c>Status</c> when a server sends only that.
/// </summary>
public sealed record OrganizationAccount(string Id, string Name, string? Email, string State, DateTimeOffset? JoinedAt)
{
    public const string Active = "ACTIVE";

    public bool IsActive => string.Equals(State, Active, StringComparison.Ordinal);
}
