using IamKeyFunc.Reporting.Findings;
using IamKeyFunc.Reporting.Model;
using IamKeyFunc.Reporting.Options;

namespace IamKeyFunc.Reporting.Collection;

/// <summary>Where a batch of collected keys comes from: the run, the account and the credential report's freshness.</summary>
/// <param name="ReportGeneratedAt">When IAM generated the credential report used, if one was.</param>
/// <param name="ReportAgeHours">How old that report was when read.</param>
internal sealed record AccountContext(
    CollectionRun Run, string Partition, string AccountId, string? AccountAlias, DateTimeOffset? ReportGeneratedAt, double? ReportAgeHours);

/// <summary>Turns collected keys into <see cref="KeyRecord"/>s: key ID format, ages and findings as of the run's start.</summary>
internal static class KeyRecords
{
    public const string Live = "live";
    public const string Report = "report";

    public static IReadOnlyList<KeyRecord> Create(IReadOnlyList<CollectedKey> keys, AccountContext context, FindingsEvaluator evaluator, KeyIdFormat format)
    {
        var activeByUser = keys.Where(k => k.Active).GroupBy(k => k.UserName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. keys.Select(key => Create(key, activeByUser.GetValueOrDefault(key.UserName), context, evaluator, format))];
    }

    private static KeyRecord Create(CollectedKey key, int activeKeysOfUser, AccountContext context, FindingsEvaluator evaluator, KeyIdFormat format)
    {
        var findings = evaluator.Evaluate(
            new AccessKeyFacts(key.IsRoot, key.Active, key.CreatedAt, key.LastUsed?.At, activeKeysOfUser), context.Run.CollectedAt);
        return new KeyRecord
        {
            RunId = context.Run.RunId,
            CollectedAt = context.Run.CollectedAt,
            Partition = context.Partition,
            AccountId = context.AccountId,
            AccountAlias = context.AccountAlias,
            UserName = key.UserName,
            UserArn = key.UserArn,
            UserCreatedAt = key.UserCreatedAt,
            PasswordEnabled = key.PasswordEnabled,
            MfaActive = key.MfaActive,
            AccessKeyId = KeyIdFormatter.Format(key.AccessKeyId, format),
            KeyIdFormat = format.ToString(),
            KeySlot = key.Slot,
            Status = key.Active ? "Active" : "Inactive",
            KeyCreatedAt = key.CreatedAt,
            KeyAgeDays = findings.KeyAgeDays,
            LastUsedAt = key.LastUsed?.At,
            LastUsedRegion = key.LastUsed?.Region,
            LastUsedService = key.LastUsed?.Service,
            DaysSinceLastUse = findings.DaysSinceLastUse,
            NeverUsed = key.LastUsed is null,
            DataSource = key.FromReport ? Report : Live,
            CredentialReportGeneratedAt = context.ReportGeneratedAt,
            CredentialReportAgeHours = context.ReportAgeHours,
            RotationOverdue = findings.RotationOverdue,
            Unused = findings.Unused,
            NeverUsedPastGrace = findings.NeverUsedPastGrace,
            TwoActiveKeys = findings.TwoActiveKeys,
            RootKey = findings.RootKey,
            DaysUntilRotationDue = findings.DaysUntilRotationDue,
            Findings = findings.Names,
            Severity = findings.Severity.ToString(),
        };
    }
}
