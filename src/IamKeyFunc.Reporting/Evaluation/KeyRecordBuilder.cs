using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>Where a batch of collected keys comes from: the run, the account and the credential report's freshness.</summary>
/// <param name="ReportGeneratedAt">When IAM generated the credential report used, if one was.</param>
/// <param name="ReportAgeHours">How old that report was when read.</param>
public sealed record AccountContext(
    CollectionRun Run, string Partition, string AccountId, string? AccountAlias, DateTimeOffset? ReportGeneratedAt, double? ReportAgeHours)
{
    /// <summary>How the account was found and where it sits in the organization.</summary>
    public AccountPlacement Placement { get; init; } = AccountPlacement.Static;
}

/// <summary>
/// What the policy, exemption and privilege columns of one account's records are computed from. <see cref="MatchedExemptions"/>
/// collects the IDs of the exemptions that matched a key, for the run's unmatched-exemption report.
/// </summary>
/// <param name="Policies">The run's policies and exemptions.</param>
/// <param name="Scope">The account: ID, and OU path and tags once discovery knows them.</param>
/// <param name="Privileges">Per user name, from the privilege scan; null without it.</param>
/// <param name="UserTags">Per user name; null when no policy needed them and the privilege scan was off.</param>
public sealed record KeyPolicyContext(
    KeyPolicies Policies,
    AccountScope Scope,
    IReadOnlyDictionary<string, UserPrivilege>? Privileges = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? UserTags = null)
{
    public HashSet<int> MatchedExemptions { get; } = [];

    /// <summary>
    /// The context of one collected account: its scope (ID, and the OU path and tags discovery placed it with), the users'
    /// privileges when the privilege scan ran, and the users' tags when they were fetched.
    /// </summary>
    public static KeyPolicyContext For(KeyPolicies policies, string accountId, AccountPlacement placement, AccountContextFacts? facts) => new(
        policies,
        new AccountScope(accountId, placement.OrganizationalUnitPath, placement.Tags ?? new Dictionary<string, string>()) { OrganizationalUnitIds = placement.OrganizationalUnitIds },
        facts?.Authorization is { } authorization ? PrivilegeAnalyzer.Analyze(authorization) : null,
        facts?.UserTags?.ToDictionary(
            u => u.Key, u => (IReadOnlyDictionary<string, string>)u.Value.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal), StringComparer.OrdinalIgnoreCase));
}

/// <summary>
/// Turns collected keys into <see cref="KeyRecord"/>s: key ID format, ages and findings as of the run's start.
/// The one place findings are evaluated: every finding column is written by its <see cref="FindingRule"/>.
/// </summary>
public sealed class KeyRecordBuilder(FindingsEvaluator evaluator, IOptions<CollectionOptions> options)
{
    private readonly KeyIdFormat _format = options.Value.KeyIdFormat;

    /// <summary>The records of one account's inventory.</summary>
    public IReadOnlyList<KeyRecord> Build(IReadOnlyList<CollectedKey> keys, AccountContext context, KeyPolicyContext? policies = null) =>
        Create(keys, context, evaluator, _format, policies);

    public static IReadOnlyList<KeyRecord> Create(
        IReadOnlyList<CollectedKey> keys, AccountContext context, FindingsEvaluator evaluator, KeyIdFormat format, KeyPolicyContext? policies = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var activeByUser = keys.Where(k => k.Active).GroupBy(k => k.UserName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. keys.Select(key => Create(key, activeByUser.GetValueOrDefault(key.UserName), context, evaluator, format, policies))];
    }

    private static KeyRecord Create(CollectedKey key, int activeKeysOfUser, AccountContext context, FindingsEvaluator evaluator, KeyIdFormat format, KeyPolicyContext? policies)
    {
        var facts = new AccessKeyFacts(key.IsRoot, key.Active, key.CreatedAt, key.LastUsed?.At, activeKeysOfUser);
        var asOf = context.Run.CollectedAt;
        var owner = new KeyOwner(policies?.Scope ?? AccountScope.OfId(context.AccountId), key.UserName, KeyOwner.PathOfArn(key.UserArn), policies?.UserTags?.GetValueOrDefault(key.UserName));
        var exemption = policies?.Policies.Exemptions.Find(
            context.AccountId, key.UserArn, key.AccessKeyId is { } id ? KeyIdFormatter.Sha256Hex(id) : null, asOf);
        if (exemption is not null)
        {
            policies!.MatchedExemptions.Add(exemption.Exemption.Id);
        }

        var findings = policies is null
            ? evaluator.Evaluate(facts, asOf)
            : evaluator.Evaluate(facts, asOf, policies.Policies.For(owner), exemption);
        var privilege = key.IsRoot ? UserPrivilege.Root : policies?.Privileges?.GetValueOrDefault(key.UserName);
        if (privilege is null && policies?.Privileges is not null)
        {
            privilege = new UserPrivilege(false, false, "");
        }
        var record = new KeyRecord
        {
            RunId = context.Run.RunId,
            CollectedAt = context.Run.CollectedAt,
            Partition = context.Partition,
            AccountId = context.AccountId,
            AccountAlias = context.AccountAlias,
            AccountName = context.Placement.Name,
            OrganizationalUnitPath = context.Placement.OrganizationalUnitPath,
            AccountTags = context.Placement.Tags,
            DiscoverySource = context.Placement.Source.ToColumn(),
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
            PolicyName = findings.Policy.Name,
            DaysUntilBreach = findings.Forecast.DaysUntilBreach,
            BreachDate = findings.Forecast.BreachDate,
            WarningDay = findings.Forecast.WarningDay,
            Controls = findings.Controls,
            Exempt = exemption is { Active: true },
            ExemptReason = exemption?.Exemption.Reason,
            ExemptReference = exemption?.Exemption.Reference,
            ExemptUntil = exemption?.Exemption.Expires,
            AdminEquivalent = privilege?.AdminEquivalent,
            CanManageCredentials = privilege?.CanManageCredentials,
            PolicyNames = privilege?.PolicyNames,
            RiskScore = RiskScore.Compute(new RiskInput(
                key.Active, key.IsRoot, findings.KeyAgeDays, findings.DaysSinceLastUse, key.PasswordEnabled, key.MfaActive,
                privilege?.AdminEquivalent, privilege?.CanManageCredentials)),
        };
        return FindingRules.All.Aggregate(record, (r, rule) => rule.SetColumn(r, findings.Has(rule)));
    }
}
