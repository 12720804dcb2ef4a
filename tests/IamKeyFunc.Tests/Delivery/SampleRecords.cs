using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>Realistic key records and run summaries for the delivery tests.</summary>
internal static class SampleRecords
{
    public static readonly DateTimeOffset CollectedAt = new(2026, 9, 14, 12, 0, 0, TimeSpan.Zero);

    public const string RunId = "20260914T120000Z-1a2b3c4d";

    public static List<KeyRecord> Keys(int count, int padding = 0) =>
        [.. Enumerable.Range(0, count).Select(i => Key(i, padding))];

    public static KeyRecord Key(int i, int padding = 0) => new()
    {
        RunId = RunId,
        CollectedAt = CollectedAt,
        Partition = "aws",
        AccountId = "111122223333",
        AccountAlias = "example-prod",
        UserName = $"user-{i:D5}" + new string('x', padding),
        UserArn = $"arn:aws:iam::111122223333:user/user-{i:D5}",
        UserCreatedAt = CollectedAt.AddDays(-400 - i),
        PasswordEnabled = i % 2 == 0,
        MfaActive = i % 3 == 0,
        AccessKeyId = $"AKIA…{i:D4}",
        KeyIdFormat = "Masked",
        KeySlot = 1 + (i % 2),
        Status = i % 5 == 0 ? "Inactive" : "Active",
        KeyCreatedAt = CollectedAt.AddDays(-100 - i),
        KeyAgeDays = 100 + i,
        LastUsedAt = i % 4 == 0 ? null : CollectedAt.AddDays(-i % 30),
        LastUsedRegion = i % 4 == 0 ? null : "eu-west-1",
        LastUsedService = i % 4 == 0 ? null : "s3",
        DaysSinceLastUse = i % 4 == 0 ? null : i % 30,
        NeverUsed = i % 4 == 0,
        DataSource = "live",
        CredentialReportGeneratedAt = CollectedAt.AddHours(-1),
        CredentialReportAgeHours = 1.25,
        RotationOverdue = i % 7 == 0,
        Unused = false,
        NeverUsedPastGrace = false,
        TwoActiveKeys = false,
        RootKey = false,
        DaysUntilRotationDue = -10 + i,
        Findings = i % 7 == 0 ? "RotationOverdue" : "",
        Severity = i % 7 == 0 ? "High" : "None",
        PolicyName = "Default",
        Controls = "",
        Exempt = false,
        RiskScore = i % 101,
        DaysUntilBreach = 10,
        BreachDate = CollectedAt.AddDays(10),
        WarningDay = 14,
        ExemptReason = "vendor appliance",
        ExemptReference = "CHG-1",
        ExemptUntil = CollectedAt.AddDays(30),
        AdminEquivalent = false,
        CanManageCredentials = false,
        PolicyNames = "ReadOnlyAccess",
    };

    public static List<RunSummary> Summaries(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new RunSummary
        {
            RunId = RunId,
            Trigger = "timer",
            CollectedAt = CollectedAt,
            Partition = "aws",
            AccountId = $"{111122223333 + i}",
            AccountAlias = "example",
            RoleArn = $"arn:aws:iam::{111122223333 + i}:role/IamKeyFuncReader",
            Mode = "live",
            Status = i == 0 ? "Failed" : "Succeeded",
            ErrorCode = i == 0 ? "AccessDenied" : null,
            ErrorMessage = i == 0 ? "Not authorized to perform sts:AssumeRole" : null,
            UsersScanned = 10 + i,
            KeysReported = 12 + i,
            FindingsCount = 3,
            ApiCalls = 40,
            ThrottledRetries = 1,
            DurationMs = 1234.5,
            CollectorVersion = "1.0.0",
            AccountAccessKeysPresent = false,
            AccountMfaEnabled = true,
            UnmatchedExemptions = "CHG-9",
        })];
}
