namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>A parsed IAM credential report: one row per user plus the <c>&lt;root_account&gt;</c> row.</summary>
public sealed class CredentialReport
{
    public const string RootAccountUser = "<root_account>";

    /// <param name="generatedTime">When IAM generated it.</param>
    /// <param name="rows">The rows that could be read, one per user (a repeated user: the last row counts).</param>
    /// <param name="unreadableRows">The lines that could not be read (see <see cref="CredentialReportParser"/>).</param>
    public CredentialReport(DateTimeOffset generatedTime, IEnumerable<CredentialReportRow> rows, IReadOnlyList<UnreadableReportRow>? unreadableRows = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        GeneratedTime = generatedTime;
        var byUser = new Dictionary<string, CredentialReportRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            byUser[row.User] = row;
        }

        Rows = byUser;
        UnreadableRows = unreadableRows ?? [];
    }

    /// <summary>When IAM generated the report (reports are reused for up to 4 hours).</summary>
    public DateTimeOffset GeneratedTime { get; }

    /// <summary>Rows keyed by user name (ordinal); the root user is under <see cref="RootAccountUser"/>.</summary>
    public IReadOnlyDictionary<string, CredentialReportRow> Rows { get; }

    /// <summary>The lines left out because they could not be read; their users' report fields are unknown.</summary>
    public IReadOnlyList<UnreadableReportRow> UnreadableRows { get; }

    public CredentialReportRow? RootAccount => Rows.GetValueOrDefault(RootAccountUser);

    public override string ToString() =>
        $"CredentialReport {{ GeneratedTime = {GeneratedTime:O}, Rows = {Rows.Count}{(UnreadableRows.Count > 0 ? $", UnreadableRows = {UnreadableRows.Count}" : "")} }}";
}

/// <summary>
/// One credential-report line. <c>N/A</c>, <c>no_information</c> and <c>not_supported</c> all become null;
/// booleans are parsed case-insensitively.
/// </summary>
public sealed record CredentialReportRow(
    string User,
    string Arn,
    DateTimeOffset? UserCreationTime,
    bool? PasswordEnabled,
    DateTimeOffset? PasswordLastUsed,
    DateTimeOffset? PasswordLastChanged,
    DateTimeOffset? PasswordNextRotation,
    bool? MfaActive,
    CredentialReportAccessKey AccessKey1,
    CredentialReportAccessKey AccessKey2)
{
    public bool IsRootAccount => User == CredentialReport.RootAccountUser;

    /// <summary>Both key slots, slot 1 first.</summary>
    public IReadOnlyList<CredentialReportAccessKey> AccessKeys => [AccessKey1, AccessKey2];
}

/// <summary>The <c>access_key_N_*</c> columns of one slot (1 or 2).</summary>
public sealed record CredentialReportAccessKey(
    int Slot,
    bool Active,
    DateTimeOffset? LastRotated,
    DateTimeOffset? LastUsedDate,
    string? LastUsedRegion,
    string? LastUsedService)
{
    /// <summary>The slot holds a key: it is active, or it has a rotation date.</summary>
    public bool HasKey => Active || LastRotated is not null;
}

/// <summary>A credential-report line that could not be read.</summary>
/// <param name="Line">Its line number in the report (the header is line 1).</param>
/// <param name="Problem">Why, for people (<c>it is not UTF-8 (byte 7 of the line cannot be decoded)</c>).</param>
/// <param name="LikelyUser">Its first field when that reads as a user name (for the warning only; never trusted as the row's user).</param>
public sealed record UnreadableReportRow(int Line, string Problem, string? LikelyUser);
