using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>Where a batch of collected keys comes from: the run, the account and the credential report's freshness.</summary>
/// <param name="ReportGeneratedAt">When IAM generated the credential report used, if one was.</param>
/// <param name="ReportAgeHours">How old that report was when read.</param>
public sealed record AccountContext(
    CollectionRun Run, string Partition, string AccountId, string? AccountAlias, DateTimeOffset? ReportGeneratedAt, double? ReportAgeHours);

/// <summary>
/// Turns collected keys into <see cref="KeyRecord"/>s: key ID format, ages and findings as of the run's start.
/// The one place findings are evaluated: every finding column is written by its <see cref="FindingRule"/>.
/// </summary>
public sealed class KeyRecordBuilder(FindingsEvaluator evaluator, IOptions<CollectionOptions> options)
{
    private readonly KeyIdFormat _format = options.Value.KeyIdFormat;

    /// <summary>The records of one account's inventory.</summary>
    public IReadOnlyList<KeyRecord> Build(IReadOnlyList<CollectedKey> keys, AccountContext context) => Create(keys, context, evaluator, _format);

    public static IReadOnlyList<KeyRecord> Create(IReadOnlyList<CollectedKey> keys, AccountContext context, FindingsEvaluator evaluator, KeyIdFormat format)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var activeByUser = keys.Where(k => k.Active).GroupBy(k => k.UserName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. keys.Select(key => Create(key, activeByUser.GetValueOrDefault(key.UserName), context, evaluator, format))];
    }

    private static KeyRecord Create(CollectedKey key, int activeKeysOfUser, AccountContext context, FindingsEvaluator evaluator, KeyIdFormat format)
    {
        var findings = evaluator.Evaluate(
            new AccessKeyFacts(key.IsRoot, key.Active, key.CreatedAt, key.LastUsed?.At, activeKeysOfUser), context.Run.CollectedAt);
        var record = new KeyRecord
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
            Status = (key.Active ? KeyStatus.Active : KeyStatus.Inactive).ToColumn(),
            KeyCreatedAt = key.CreatedAt,
            KeyAgeDays = findings.KeyAgeDays,
            LastUsedAt = key.LastUsed?.At,
            LastUsedRegion = key.LastUsed?.Region,
            LastUsedService = key.LastUsed?.Service,
            DaysSinceLastUse = findings.DaysSinceLastUse,
            NeverUsed = key.LastUsed is null,
            DataSource = (key.FromReport ? DataSource.Report : DataSource.Live).ToColumn(),
            CredentialReportGeneratedAt = context.ReportGeneratedAt,
            CredentialReportAgeHours = context.ReportAgeHours,
            DaysUntilRotationDue = findings.DaysUntilRotationDue,
            Findings = findings.Names,
            Severity = findings.Severity.ToString(),
        };
        return FindingRules.All.Aggregate(record, (r, rule) => rule.SetColumn(r, findings.Has(rule)));
    }
}
