namespace IamKeyFunc.Reporting.Records;

/// <summary>How one account fared in a run: <see cref="RunSummary.Status"/>.</summary>
public enum AccountStatus
{
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>An access key's IAM status: <see cref="KeyRecord.Status"/>.</summary>
public enum KeyStatus
{
    Active,
    Inactive,
}

/// <summary>Where a key's last-use data came from: <see cref="KeyRecord.DataSource"/> and <see cref="RunSummary.Mode"/>.</summary>
public enum DataSource
{
    /// <summary><c>GetAccessKeyLastUsed</c>.</summary>
    Live,

    /// <summary>The credential report.</summary>
    Report,
}

/// <summary>
/// The strings the record columns carry for <see cref="AccountStatus"/>, <see cref="KeyStatus"/> and <see cref="DataSource"/>:
/// the only place they are written, so that nothing in Log Analytics changes when code uses the enums.
/// </summary>
public static class RecordValues
{
    public static string ToColumn(this AccountStatus status) => status switch
    {
        AccountStatus.Succeeded => "Succeeded",
        AccountStatus.Failed => "Failed",
        AccountStatus.Skipped => "Skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToColumn(this KeyStatus status) => status switch
    {
        KeyStatus.Active => "Active",
        KeyStatus.Inactive => "Inactive",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToColumn(this DataSource source) => source switch
    {
        DataSource.Live => "live",
        DataSource.Report => "report",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>True when <paramref name="summary"/>'s <see cref="RunSummary.Status"/> is <paramref name="status"/>.</summary>
    public static bool Is(this RunSummary summary, AccountStatus status)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Status == status.ToColumn();
    }
}
