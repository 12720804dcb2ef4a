using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Evaluation;

public class KeyRecordBuilderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 9, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly FindingsEvaluator _evaluator = new(Microsoft.Extensions.Options.Options.Create(new FindingsOptions()));

    [Fact]
    public void Create_ShouldCarryTheRunAccountAndReportFreshness_AndFormatTheKeyId()
    {
        // Arrange
        var context = Context(reportGeneratedAt: _time.GetUtcNow().AddHours(-2), ageHours: 2);
        CollectedKey[] keys = [Key("alice", "AKIAIOSFODNN7EXAMPLE", slot: 1, active: true, createdDaysAgo: 10, usedDaysAgo: 1)];

        // Act
        var record = Assert.Single(KeyRecordBuilder.Create(keys, context, _evaluator, KeyIdFormat.Masked));

        // Assert
        Assert.Equal((context.Run.RunId, context.Run.CollectedAt, "aws", "111122223333", "prod"), (record.RunId, record.CollectedAt, record.Partition, record.AccountId, record.AccountAlias));
        Assert.Equal(("AKIA\u2026MPLE", "Masked", 1, "Active"), (record.AccessKeyId, record.KeyIdFormat, record.KeySlot, record.Status));
        Assert.Equal((10, 1, false), (record.KeyAgeDays, record.DaysSinceLastUse, record.NeverUsed));
        Assert.Equal(("us-east-1", "sts", "live"), (record.LastUsedRegion, record.LastUsedService, record.DataSource));
        Assert.Equal((context.ReportGeneratedAt, 2.0), (record.CredentialReportGeneratedAt, record.CredentialReportAgeHours));
        Assert.Equal(("", "None"), (record.Findings, record.Severity));
    }

    [Fact]
    public void Create_ShouldFlagTwoActiveKeysOnBothKeysOfTheUser_ButNotOnOtherUsers()
    {
        // Arrange
        CollectedKey[] keys =
        [
            Key("alice", "AKIAALICE1", slot: 1, active: true, createdDaysAgo: 20, usedDaysAgo: 1),
            Key("alice", "AKIAALICE2", slot: 2, active: true, createdDaysAgo: 5, usedDaysAgo: 1),
            Key("bob", "AKIABOB001", slot: 1, active: true, createdDaysAgo: 20, usedDaysAgo: 1),
            Key("bob", "AKIABOB002", slot: 2, active: false, createdDaysAgo: 5, usedDaysAgo: null),
        ];

        // Act
        var records = KeyRecordBuilder.Create(keys, Context(null, null), _evaluator, KeyIdFormat.Full);

        // Assert
        Assert.Equal([true, true, false, false], records.Select(r => r.TwoActiveKeys));
        Assert.Equal(["TwoActiveKeys", "TwoActiveKeys", "", ""], records.Select(r => r.Findings));
    }

    [Fact]
    public void Create_ShouldMarkRootKeysAsCriticalFromTheReport_WithoutAKeyId()
    {
        // Arrange
        var root = Key("<root_account>", null, slot: 1, active: true, createdDaysAgo: 400, usedDaysAgo: 200) with { IsRoot = true, FromReport = true };

        // Act
        var record = Assert.Single(KeyRecordBuilder.Create([root], Context(_time.GetUtcNow(), 0), _evaluator, KeyIdFormat.Sha256));

        // Assert
        Assert.Null(record.AccessKeyId);
        Assert.Equal("Sha256", record.KeyIdFormat);
        Assert.Equal(("report", true, "Critical"), (record.DataSource, record.RootKey, record.Severity));
        Assert.Equal("RootKey,RotationOverdue,Unused", record.Findings);
    }

    [Fact]
    public void Create_ShouldApplyTheMatchingPolicyExemptionAndPrivilege_AndReportWhichExemptionsMatched()
    {
        // Arrange: ci-* rotates at 7 days; alice is exempt until next month, bob's exemption expired yesterday.
        var now = _time.GetUtcNow();
        var policies = KeyPolicyCompiler.Compile(
            new KeyPolicyOptions
            {
                Policies = [new() { Name = "ci", UserName = "ci-*", RotationDays = 7, WarnBeforeDays = "3,1" }],
                Exemptions =
                [
                    new() { UserArn = "arn:aws:iam::111122223333:user/alice", Reason = "vendor", Reference = "CHG-1", Expires = now.AddDays(30) },
                    new() { KeyIdSha256 = KeyIdFormatter.Sha256Hex("AKIABOB001"), Reason = "old", Reference = "CHG-2", Expires = now.AddDays(-1) },
                    new() { UserArn = "arn:aws:iam::111122223333:user/gone", Reason = "stale", Reference = "CHG-3", Expires = now.AddDays(5) },
                ],
            },
            new FindingsOptions(),
            now);
        var privileges = new Dictionary<string, UserPrivilege>(StringComparer.OrdinalIgnoreCase) { ["ci-deploy"] = new(true, true, "Admins/AdministratorAccess") };
        var policyContext = new KeyPolicyContext(policies, AccountScope.OfId("111122223333"), privileges);
        CollectedKey[] keys =
        [
            Key("alice", "AKIAALICE1", slot: 1, active: true, createdDaysAgo: 120, usedDaysAgo: 1),
            Key("bob", "AKIABOB001", slot: 1, active: true, createdDaysAgo: 20, usedDaysAgo: 1),
            Key("ci-deploy", "AKIACI0001", slot: 1, active: true, createdDaysAgo: 6, usedDaysAgo: 0),
        ];

        // Act
        var records = KeyRecordBuilder.Create(keys, Context(null, null), _evaluator, KeyIdFormat.Masked, policyContext);

        // Assert
        var (alice, bob, ci) = (records[0], records[1], records[2]);
        Assert.Equal(("Default", true, "CHG-1", "RotationOverdue"), (alice.PolicyName, alice.Exempt, alice.ExemptReference, alice.Findings));
        Assert.Equal("CIS-2.12,SecurityHub-IAM.3", alice.Controls);
        Assert.Equal((false, true, "CHG-2", "ExemptionExpired", "Medium"), (bob.Exempt, bob.ExemptionExpired, bob.ExemptReference, bob.Findings, bob.Severity));
        Assert.Equal(("ci", 1, 1, true, "DueSoon"), (ci.PolicyName, ci.DaysUntilBreach, ci.WarningDay, ci.DueSoon, ci.Findings));
        Assert.Equal((true, true, "Admins/AdministratorAccess"), (ci.AdminEquivalent, ci.CanManageCredentials, ci.PolicyNames));
        Assert.Equal((false, false, ""), (bob.AdminEquivalent, bob.CanManageCredentials, bob.PolicyNames));
        Assert.True(ci.RiskScore > bob.RiskScore);
        Assert.Equal([0, 1], policyContext.MatchedExemptions.Order());
        Assert.Equal(["CHG-3"], policies.Exemptions.Unmatched(policyContext.MatchedExemptions, new HashSet<string> { "111122223333" }, true).Select(e => e.Label));
    }

    private AccountContext Context(DateTimeOffset? reportGeneratedAt, double? ageHours) =>
        new(new CollectionRun("20260915T060000Z-0a1b2c3d", _time.GetUtcNow()), "aws", "111122223333", "prod", reportGeneratedAt, ageHours);

    private CollectedKey Key(string user, string? id, int slot, bool active, int createdDaysAgo, int? usedDaysAgo) => new(
        user, $"arn:aws:iam::111122223333:user/{user}", _time.GetUtcNow().AddDays(-500), true, false, id, slot, active,
        _time.GetUtcNow().AddDays(-createdDaysAgo), usedDaysAgo is { } d ? new KeyUse(_time.GetUtcNow().AddDays(-d), "us-east-1", "sts") : null,
        IsRoot: false, FromReport: false);
}
