namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>What the findings are computed from: one access key and how many active keys its user has.</summary>
/// <param name="IsRoot">The key belongs to the account root user (<c>&lt;root_account&gt;</c>).</param>
/// <param name="Active">IAM status <c>Active</c>.</param>
/// <param name="CreatedAt">Key creation time (for root keys, the report's <c>last_rotated</c>); null when unknown.</param>
/// <param name="LastUsedAt">Last use; null when never used (or not tracked).</param>
/// <param name="ActiveKeysOfUser">Active keys of the key's user, this one included.</param>
public sealed record AccessKeyFacts(bool IsRoot, bool Active, DateTimeOffset? CreatedAt, DateTimeOffset? LastUsedAt, int ActiveKeysOfUser);
