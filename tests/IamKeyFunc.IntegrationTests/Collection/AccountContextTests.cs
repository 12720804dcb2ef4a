using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Runs;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.IntegrationTests.Collection;

/// <summary>
/// The account context beside the keys, read from the loopback emulator in a real run: the privilege scan
/// (<c>GetAccountAuthorizationDetails</c>, users, groups, managed and inline policies in the IAM model's shapes) and
/// the root user's state (<c>GetAccountSummary</c>) in the summary row.
/// </summary>
public sealed class AccountContextTests
{
    private const string Security = "111122223333";
    private const string Prod = "444455556666";
    private const string Sandbox = "555566667777";

    private static readonly Dictionary<string, string?> PrivilegeScan = new() { ["IamKey:Collection:PrivilegeScan"] = "true" };

    [Fact]
    public async Task RunAsync_ShouldFindAdminsThroughAGroupAndAnInlineStarPolicy_AndLeaveAHarmlessUserAlone()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(WithPermissions(), settings: PrivilegeScan);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status); // the legacy account denies the central role
        Assert.Equal(
            [
                "<root_account>|True|True|",
                "alice|True|True|Admins/AdministratorAccess",
                "ci-deploy|True|True|deploy-anything",
                "legacy-backup|False|False|Backups/write-backups",
                "monitoring-agent|False|False|ReadOnlyAccess",
                "terraform|False|True|key-rotator",
            ],
            Privileges(result, Prod));
        Assert.DoesNotContain(aws.Logs.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains(Prod, StringComparison.Ordinal));
        Assert.Equal(1, aws.Emulator.Stats.Calls(Prod, "GetAccountAuthorizationDetails"));

        // RiskScore: alice (120 days, used 2 days ago, admin) = round(20 x 120/365 + 15 x 2/180 + 25); monitoring-agent the same without the 25
        Assert.Equal(32, result.Records.Single(r => r.UserName == "alice").RiskScore);
        Assert.Equal(6, result.Records.Single(r => r.UserName == "monitoring-agent").RiskScore);
        Assert.Equal(19, result.Records.Single(r => r.UserName == "terraform").RiskScore); // 30 days, never used, may mint keys: 1.6 + 2.5 + 5 + 10
    }

    [Fact]
    public async Task RunAsync_ShouldReadEveryPage_WhenTheAuthorizationDetailsArePaged()
    {
        // Arrange: two entities per page
        var settings = new Dictionary<string, string?>(PrivilegeScan) { ["IamKey:Collection:PageSize"] = "2" };
        await using var whole = await EmulatedAws.StartAsync(WithPermissions(), settings: PrivilegeScan);
        await using var paged = await EmulatedAws.StartAsync(WithPermissions(), settings: settings);

        // Act
        var expected = await whole.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));
        var actual = await paged.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert: prod has 7 users, 2 groups and 3 managed policies (AdministratorAccess, ReadOnlyAccess, key-rotator)
        Assert.Equal(Privileges(expected, Prod), Privileges(actual, Prod));
        Assert.Equal(6, paged.Emulator.Stats.Calls(Prod, "GetAccountAuthorizationDetails"));
        Assert.Equal(paged.IamCalls(Prod), actual.Accounts.Single(a => a.AccountId == Prod).ApiCalls);
    }

    [Fact]
    public async Task RunAsync_ShouldLeaveThePrivilegeColumnsEmpty_WhenTheScanIsOff_OrDenied()
    {
        // Arrange
        await using var off = await EmulatedAws.StartAsync(WithPermissions());
        await using var denied = await EmulatedAws.StartAsync(WithPermissions(), settings: PrivilegeScan);
        denied.Emulator.Options.Faults.FailNext("GetAccountAuthorizationDetails", 100, "AccessDenied", 403, accountId: Prod);

        // Act
        var withoutScan = await off.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));
        var withDenial = await denied.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert: no call without the scan; a denial is a warning on the account, which still succeeds
        Assert.Equal(0, off.Emulator.Stats.Calls("GetAccountAuthorizationDetails"));
        Assert.All(withoutScan.Records.Where(r => !r.RootKey), r => Assert.Equal((null, null, null), (r.AdminEquivalent, r.CanManageCredentials, r.PolicyNames)));
        Assert.All(withoutScan.Records.Where(r => r.RootKey), r => Assert.True(r.AdminEquivalent)); // the root user may do anything, scan or not
        var prod = withDenial.Accounts.Single(a => a.AccountId == Prod);
        Assert.Equal("Succeeded", prod.Status);
        Assert.All(withDenial.Records.Where(r => r.AccountId == Prod && r.UserName != "<root_account>"), r => Assert.Null(r.AdminEquivalent));
        Assert.Contains(denied.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("GetAccountAuthorizationDetails", StringComparison.Ordinal));
        Assert.Equal(["security-audit|False|False|"], Privileges(withDenial, Security)); // the other accounts are still read
    }

    [Fact]
    public async Task RunAsync_ShouldPutTheRootUsersKeysAndMfaInTheSummaryRow_FromGetAccountSummary()
    {
        // Arrange: prod's root has a key and no MFA; the security account's root has MFA and no key
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        scenario.Account(Prod).RootMfaActive = false;
        await using var aws = await EmulatedAws.StartAsync(scenario);
        aws.Emulator.Options.Faults.FailNext("GetAccountSummary", 100, "AccessDenied", 403, accountId: Sandbox);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert
        var summaries = result.Accounts.ToDictionary(a => a.AccountId);
        Assert.Equal((true, false), (summaries[Prod].AccountAccessKeysPresent, summaries[Prod].AccountMfaEnabled));
        Assert.Equal((false, true), (summaries[Security].AccountAccessKeysPresent, summaries[Security].AccountMfaEnabled));
        Assert.Equal(("Succeeded", null, null), (summaries[Sandbox].Status, summaries[Sandbox].AccountAccessKeysPresent, summaries[Sandbox].AccountMfaEnabled));
        Assert.Equal(1, aws.Emulator.Stats.Calls(Prod, "GetAccountSummary"));
    }

    /// <summary>
    /// Prod with permissions: alice is in the Admins group (AdministratorAccess), ci-deploy has an inline <c>*</c> on
    /// <c>*</c> (one statement, not a list), terraform a customer managed policy whose default version may mint keys
    /// (its old version allowed everything), monitoring-agent only ReadOnlyAccess, legacy-backup a group's inline
    /// policy on one bucket. The security account's user has nothing.
    /// </summary>
    private static EmulatorScenario WithPermissions()
    {
        var now = TimeProvider.System.GetUtcNow();
        var created = new DateTimeOffset(now.Year - 1, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var scenario = ScenarioGenerator.SampleOrganization(now);
        var prod = scenario.Account(Prod);
        prod.ManagedPolicies.Add(new EmulatorManagedPolicy
        {
            PolicyName = "key-rotator",
            PolicyId = "ANPAEXAMPLEKEYROTATE",
            CreateDate = created,
            Versions =
            [
                new EmulatorPolicyVersion { VersionId = "v1", IsDefaultVersion = false, CreateDate = created, Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""" },
                new EmulatorPolicyVersion { VersionId = "v2", IsDefaultVersion = true, CreateDate = created, Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey"],"Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::state/*"}]}""" },
            ],
        });
        prod.Groups.Add(new EmulatorGroup { GroupName = "Admins", GroupId = "AGPAEXAMPLEADMINS001", CreateDate = created, AttachedPolicyArns = [AwsManagedPolicies.Arn(AwsManagedPolicies.AdministratorAccess)] });
        prod.Groups.Add(new EmulatorGroup
        {
            GroupName = "Backups",
            GroupId = "AGPAEXAMPLEBACKUPS01",
            CreateDate = created,
            InlinePolicies = [new EmulatorInlinePolicy { PolicyName = "write-backups", Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::backups/*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}""" }],
        });
        User(prod, "alice").GroupNames.Add("Admins");
        User(prod, "ci-deploy").InlinePolicies.Add(new EmulatorInlinePolicy { PolicyName = "deploy-anything", Document = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}""" });
        User(prod, "terraform").AttachedPolicyArns.Add($"arn:aws:iam::{Prod}:policy/key-rotator");
        User(prod, "monitoring-agent").AttachedPolicyArns.Add(AwsManagedPolicies.Arn(AwsManagedPolicies.ReadOnlyAccess));
        User(prod, "legacy-backup").GroupNames.Add("Backups");
        return scenario;
    }

    private static List<string> Privileges(RunResult result, string accountId) =>
        [.. result.Records.Where(r => r.AccountId == accountId).DistinctBy(r => r.UserName)
            .Select(r => $"{r.UserName}|{r.AdminEquivalent}|{r.CanManageCredentials}|{r.PolicyNames}").Order(StringComparer.Ordinal)];

    private static EmulatorUser User(EmulatorAccount account, string userName) => account.Users.Single(u => u.UserName == userName);
}
