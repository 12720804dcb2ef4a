namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>One page of a <c>Marker</c>/<c>IsTruncated</c> list operation.</summary>
public sealed record IamPage<T>(IReadOnlyList<T> Items, bool IsTruncated, string? Marker);

/// <summary>An IAM user as <c>ListUsers</c> returns it.</summary>
public sealed record IamUser(
    string UserName,
    string UserId,
    string Arn,
    string Path,
    DateTimeOffset CreateDate,
    DateTimeOffset? PasswordLastUsed);

/// <summary>An access key as <c>ListAccessKeys</c> returns it (never the secret).</summary>
public sealed record AccessKeyMetadata(string UserName, string AccessKeyId, string Status, DateTimeOffset? CreateDate)
{
    public bool IsActive => string.Equals(Status, "Active", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// <c>GetAccessKeyLastUsed</c>: all three are null when the key was never used (or last used before
/// 22 April 2015), where IAM answers <c>N/A</c> and omits the date.
/// </summary>
public sealed record AccessKeyLastUsed(string? UserName, DateTimeOffset? LastUsedDate, string? Region, string? ServiceName);

public enum CredentialReportState
{
    Started,
    InProgress,
    Complete,
}

/// <summary>The answer to <c>GenerateCredentialReport</c>.</summary>
public sealed record CredentialReportGeneration(CredentialReportState State, string? Description);
