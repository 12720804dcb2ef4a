using System.Globalization;
using System.Text;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.State;

/// <summary>
/// The per-account credential-report state machine: nothing → generating (<c>STARTED</c>, then <c>INPROGRESS</c>) →
/// complete after the configured delay → expired after the maximum age, when generating starts again.
/// </summary>
internal sealed class CredentialReportState
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _startedAt;
    private TimeSpan _delay;
    private string? _content;

    public (string State, string Description) Generate(DateTimeOffset now, TimeSpan delay, TimeSpan maxAge)
    {
        lock (_gate)
        {
            if (_startedAt is null || now - CompletedAt >= maxAge)
            {
                var existed = _startedAt is not null;
                _startedAt = now;
                _delay = delay;
                _content = null;
                return ("STARTED", existed
                    ? "The existing report is older than the maximum age. Starting a new report generation task"
                    : "No report exists. Starting a new report generation task");
            }

            return now < CompletedAt
                ? ("INPROGRESS", "Report generation in progress")
                : ("COMPLETE", "Report generated successfully");
        }
    }

    /// <summary>The report when complete and fresh; otherwise the reason it is not available.</summary>
    public ReportLookup Get(DateTimeOffset now, TimeSpan maxAge, Func<DateTimeOffset, string> render)
    {
        lock (_gate)
        {
            if (_startedAt is null)
            {
                return new ReportLookup(ReportStatus.NotPresent, null, default);
            }

            if (now < CompletedAt)
            {
                return new ReportLookup(ReportStatus.InProgress, null, default);
            }

            if (now - CompletedAt >= maxAge)
            {
                return new ReportLookup(ReportStatus.Expired, null, default);
            }

            _content ??= render(CompletedAt);
            return new ReportLookup(ReportStatus.Ready, _content, CompletedAt);
        }
    }

    private DateTimeOffset CompletedAt => _startedAt!.Value + _delay;
}

internal enum ReportStatus
{
    NotPresent,
    InProgress,
    Expired,
    Ready,
}

internal readonly record struct ReportLookup(ReportStatus Status, string? Base64Content, DateTimeOffset GeneratedTime);

/// <summary>Renders the credential report CSV (22 documented columns, <c>&lt;root_account&gt;</c> row first) as IAM does.</summary>
internal static class CredentialReportCsv
{
    public const string Header =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
        "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
        "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
        "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    private const string NotApplicable = "N/A";

    public static string Render(AccountState account, bool lastRotatedForInactiveKeys)
    {
        var csv = new StringBuilder((account.Users.Length + 2) * 256);
        csv.Append(Header).Append('\n');
        var root = account.Account;
        csv.Append(ExpectedAccessKey.RootUserName).Append(',').Append(root.RootArn).Append(',').Append(Time(root.CreateDate))
            .Append(",not_supported,").Append(root.RootPasswordLastUsed is { } used ? Time(used) : "no_information")
            .Append(",not_supported,not_supported,").Append(Bool(root.RootMfaActive));
        AppendKeys(csv, [.. root.RootAccessKeys.OrderBy(k => k.CreateDate).ThenBy(k => k.AccessKeyId, StringComparer.Ordinal)], lastRotatedForInactiveKeys);

        foreach (var entry in account.Users)
        {
            var user = entry.User;
            csv.Append(Field(user.UserName)).Append(',').Append(Field(entry.Arn)).Append(',').Append(Time(user.CreateDate)).Append(',')
                .Append(Bool(user.PasswordEnabled)).Append(',')
                .Append(!user.PasswordEnabled ? NotApplicable : user.PasswordLastUsed is { } lastUsed ? Time(lastUsed) : "no_information").Append(',')
                .Append(user.PasswordEnabled && user.PasswordLastChanged is { } changed ? Time(changed) : NotApplicable).Append(',')
                .Append(NotApplicable).Append(',')
                .Append(Bool(user.MfaActive));
            AppendKeys(csv, entry.Keys, lastRotatedForInactiveKeys);
        }

        return Convert.ToBase64String(Encoding.UTF8.GetBytes(csv.ToString()));
    }

    /// <summary>Credential report timestamps carry an explicit offset: <c>2024-01-31T12:00:00+00:00</c>.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    private static void AppendKeys(StringBuilder csv, EmulatorAccessKey[] keys, bool lastRotatedForInactiveKeys)
    {
        for (var slot = 0; slot < 2; slot++)
        {
            if (slot >= keys.Length)
            {
                csv.Append(",false,N/A,N/A,N/A,N/A");
                continue;
            }

            var key = keys[slot];
            var active = key.Status == "Active";
            csv.Append(',').Append(Bool(active))
                .Append(',').Append(active || lastRotatedForInactiveKeys ? Time(key.CreateDate) : NotApplicable)
                .Append(',').Append(key.LastUsed is { } used ? Time(used.Date) : NotApplicable)
                .Append(',').Append(key.LastUsed?.Region ?? NotApplicable)
                .Append(',').Append(key.LastUsed is { ServiceName.Length: > 0 } u ? u.ServiceName : NotApplicable);
        }

        csv.Append(",false,N/A,false,N/A\n");
    }

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>IAM names may contain commas; such fields are quoted (RFC 4180).</summary>
    private static string Field(string value) => value.Contains(',', StringComparison.Ordinal) ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
