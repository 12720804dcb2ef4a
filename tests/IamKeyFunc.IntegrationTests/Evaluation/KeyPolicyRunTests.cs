using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;

namespace IamKeyFunc.IntegrationTests.Evaluation;

/// <summary>
/// Key policies and exemptions in a real run: the sample organization in the loopback emulator, the job wired from
/// settings as the Function wires it, and the records and summaries it returns.
/// </summary>
public sealed class KeyPolicyRunTests
{
    private const string Security = "111122223333";
    private const string Prod = "444455556666";
    private const string Sandbox = "555566667777";
    private const string Legacy = "777788889999";

    private static readonly Dictionary<string, string?> TwoPolicies = new()
    {
        ["IamKey:Policies:0:Name"] = "ci",
        ["IamKey:Policies:0:UserName"] = "ci-*",
        ["IamKey:Policies:0:RotationDays"] = "30",
        ["IamKey:Policies:1:Name"] = "prod-cis",
        ["IamKey:Policies:1:AccountIds"] = Prod,
        ["IamKey:Policies:1:Profile"] = "CisAwsV7",
        ["IamKey:Policies:1:WarnBeforeDays"] = "14,7,1",
    };

    [Fact]
    public async Task RunAsync_ShouldGiveEachKeyTheFirstPolicyThatMatches_AndTheDefaultToTheRest()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow()), settings: TwoPolicies);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert: ci-deploy is in prod too, but "ci" comes first
        Assert.Equal(
            [
                $"{Security}|security-audit|1|Default",
                $"{Prod}|<root_account>|1|prod-cis",
                $"{Prod}|alice|1|prod-cis",
                $"{Prod}|ci-deploy|1|ci",
                $"{Prod}|ci-deploy|2|ci",
                $"{Prod}|legacy-backup|1|prod-cis",
                $"{Prod}|monitoring-agent|1|prod-cis",
                $"{Prod}|terraform|1|prod-cis",
                $"{Sandbox}|dev-test|1|Default",
                $"{Sandbox}|dev-test|2|Default",
            ],
            result.Records.Select(r => $"{r.AccountId}|{r.UserName}|{r.KeySlot}|{r.PolicyName}").Order(StringComparer.Ordinal));

        // ci: rotation at 30 days, the key is 45 days old; the inactive key has no forecast
        var ci = Keys(result, "ci-deploy");
        Assert.Equal((null, null), (ci[0].DaysUntilBreach, ci[0].BreachDate));
        Assert.Equal(30 - 45, ci[1].DaysUntilBreach);
        Assert.Equal(ci[1].KeyCreatedAt!.Value.AddDays(31), ci[1].BreachDate);
        Assert.True(ci[1].RotationOverdue);
        Assert.Equal("", ci[1].Controls); // 45 days old and used today: over the policy's limit, within every standard's

        // prod-cis (CisAwsV7: rotate at 90, unused at 45): alice's 120-day-old key violates CIS 2.12 and IAM.3
        var alice = Keys(result, "alice").Single();
        Assert.Equal(90 - 120, alice.DaysUntilBreach);
        Assert.Equal("CIS-2.12,SecurityHub-IAM.3", alice.Controls);
        var terraform = Keys(result, "terraform").Single(); // 30 days old and never used: the default grace of 7 days
        Assert.Equal(7 - 30, terraform.DaysUntilBreach);
        Assert.True(terraform.NeverUsedPastGrace);
        Assert.Equal(90 - 100, Keys(result, "monitoring-agent").Single().DaysUntilBreach);

        // Default (IamKey:Findings: 90/90/7, warn 14 days ahead): security-audit's 80-day-old key is due in 10 days
        var audit = Keys(result, "security-audit").Single();
        Assert.Equal((10, true, 14), (audit.DaysUntilBreach, audit.DueSoon, audit.WarningDay));
        Assert.Contains("DueSoon", audit.Findings, StringComparison.Ordinal);
        Assert.Equal("", audit.Controls);
        var devTest = Keys(result, "dev-test");
        Assert.Equal((90 - 190, "CIS-2.11,CIS-2.12,SecurityHub-IAM.3,SecurityHub-IAM.8,SecurityHub-IAM.22"), (devTest[0].DaysUntilBreach, devTest[0].Controls));
        Assert.Equal((80, false), (devTest[1].DaysUntilBreach, devTest[1].DueSoon));
    }

    [Fact]
    public async Task RunAsync_ShouldMatchOnUserPathAndTags_CallingListUserTagsOncePerUserWithAKey_OnlyWhenAPolicyNeedsThem()
    {
        // Arrange: terraform and monitoring-agent live under /service/; terraform is tagged as CI, carol (no key) too
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        User(scenario, Prod, "terraform").Path = "/service/";
        User(scenario, Prod, "monitoring-agent").Path = "/service/";
        User(scenario, Prod, "terraform").Tags.Add(new EmulatorTag { Key = "Pipeline", Value = "ci" });
        User(scenario, Prod, "alice").Tags.Add(new EmulatorTag { Key = "Pipeline", Value = "manual" });
        User(scenario, Security, "carol").Tags.Add(new EmulatorTag { Key = "Pipeline", Value = "ci" });
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Policies:0:Name"] = "ci-tagged",
            ["IamKey:Policies:0:UserTags"] = "Pipeline=ci",
            ["IamKey:Policies:0:RotationDays"] = "7",
            ["IamKey:Policies:1:Name"] = "services",
            ["IamKey:Policies:1:UserPath"] = "/service/",
            ["IamKey:Policies:1:RotationDays"] = "365",
            ["IamKey:Policies:1:UnusedDays"] = "365",
        };
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: settings);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert
        Assert.Equal("ci-tagged", Keys(result, "terraform").Single().PolicyName);
        Assert.Equal("services", Keys(result, "monitoring-agent").Single().PolicyName);
        Assert.Equal("Default", Keys(result, "alice").Single().PolicyName);
        Assert.Equal(365 - 100, Keys(result, "monitoring-agent").Single().DaysUntilBreach);
        foreach (var account in new[] { Security, Prod, Sandbox })
        {
            var usersWithKeys = scenario.Account(account).Users.Count(u => u.AccessKeys.Count > 0);
            Assert.Equal(usersWithKeys, aws.Emulator.Stats.Calls(account, "ListUserTags"));
        }

        Assert.Equal(aws.IamCalls(Prod), result.Accounts.Single(a => a.AccountId == Prod).ApiCalls);
    }

    [Fact]
    public async Task RunAsync_ShouldNotCallListUserTags_WhenNoPolicyMatchesOnTags()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow()), settings: TwoPolicies);

        // Act
        await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert
        Assert.Equal(0, aws.Emulator.Stats.Calls("ListUserTags"));
        Assert.Equal(0, aws.Emulator.Stats.Calls("GetAccountAuthorizationDetails"));
        Assert.Equal(3, aws.Emulator.Stats.Calls("GetAccountSummary")); // the denied legacy account never gets that far
    }

    [Fact]
    public async Task RunAsync_ShouldTakeUserTagsFromTheAuthorizationDetails_WhenThePrivilegeScanIsOn()
    {
        // Arrange
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        User(scenario, Prod, "terraform").Tags.Add(new EmulatorTag { Key = "Pipeline", Value = "ci" });
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Collection:PrivilegeScan"] = "true",
            ["IamKey:Policies:0:Name"] = "ci-tagged",
            ["IamKey:Policies:0:UserTags"] = "Pipeline",
        };
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: settings);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert
        Assert.Equal("ci-tagged", Keys(result, "terraform").Single().PolicyName);
        Assert.Equal(["Default"], result.Records.Where(r => r.UserName != "terraform").Select(r => r.PolicyName).Distinct());
        Assert.Equal(0, aws.Emulator.Stats.Calls("ListUserTags"));
        Assert.Equal(1, aws.Emulator.Stats.Calls(Prod, "GetAccountAuthorizationDetails"));
    }

    [Fact]
    public async Task RunAsync_ShouldMarkExemptKeys_FlagExpiredExemptions_AndNameTheUnmatchedOnceInTheSummaries()
    {
        // Arrange
        var now = TimeProvider.System.GetUtcNow();
        var scenario = ScenarioGenerator.SampleOrganization(now);
        var alicesKey = User(scenario, Prod, "alice").AccessKeys.Single().AccessKeyId;
        var settings = new Dictionary<string, string?>
        {
            // active: every key of legacy-backup
            ["IamKey:Exemptions:0:UserArn"] = $"arn:aws:iam::{Prod}:user/legacy-backup",
            ["IamKey:Exemptions:0:Reason"] = "Vendor appliance without role support",
            ["IamKey:Exemptions:0:Reference"] = "CHG-1234",
            ["IamKey:Exemptions:0:Expires"] = now.AddDays(30).ToString("O"),
            // expired yesterday: alice's key, by the hash of its ID
            ["IamKey:Exemptions:1:KeyIdSha256"] = KeyIdFormatter.Sha256Hex(alicesKey),
            ["IamKey:Exemptions:1:Reason"] = "Migration to SSO",
            ["IamKey:Exemptions:1:Reference"] = "CHG-0999",
            ["IamKey:Exemptions:1:Expires"] = now.AddDays(-1).ToString("O"),
            // a user that is gone
            ["IamKey:Exemptions:2:Name"] = "old-batch",
            ["IamKey:Exemptions:2:UserArn"] = $"arn:aws:iam::{Sandbox}:user/batch-runner",
            ["IamKey:Exemptions:2:Reason"] = "Batch job",
            ["IamKey:Exemptions:2:Reference"] = "CHG-0500",
            ["IamKey:Exemptions:2:Expires"] = now.AddDays(90).ToString("O"),
            // a key that is nowhere in the collected accounts: not reported while the legacy account cannot be read
            ["IamKey:Exemptions:3:KeyIdSha256"] = KeyIdFormatter.Sha256Hex("AKIAEXAMPLENOWHERE01"),
            ["IamKey:Exemptions:3:Reason"] = "Somewhere",
            ["IamKey:Exemptions:3:Reference"] = "CHG-0001",
            ["IamKey:Exemptions:3:Expires"] = now.AddDays(90).ToString("O"),
        };
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: settings);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert: the exempt key keeps its findings
        var backup = Keys(result, "legacy-backup").Single();
        Assert.Equal(
            (true, "Vendor appliance without role support", "CHG-1234", false),
            (backup.Exempt, backup.ExemptReason, backup.ExemptReference, backup.ExemptionExpired));
        Assert.Equal(DateTimeOffset.Parse(settings["IamKey:Exemptions:0:Expires"]!, System.Globalization.CultureInfo.InvariantCulture), backup.ExemptUntil);
        Assert.True(backup.RotationOverdue && backup.Unused);
        Assert.NotEqual("None", backup.Severity);

        var alice = Keys(result, "alice").Single();
        Assert.Equal((false, true, "CHG-0999"), (alice.Exempt, alice.ExemptionExpired, alice.ExemptReference));
        Assert.Contains("ExemptionExpired", alice.Findings, StringComparison.Ordinal);
        Assert.Equal([backup], result.Records.Where(r => r.Exempt));

        var summaries = result.Accounts.ToDictionary(a => a.AccountId);
        Assert.Equal((1, null), (summaries[Prod].ExemptKeys, summaries[Prod].UnmatchedExemptions));
        Assert.Equal((0, "old-batch"), (summaries[Sandbox].ExemptKeys, summaries[Sandbox].UnmatchedExemptions));
        Assert.Null(summaries[Security].UnmatchedExemptions);
        Assert.Null(summaries[Legacy].UnmatchedExemptions);
    }

    [Fact]
    public async Task RunAsync_ShouldReportAnUnmatchedKeyExemption_WhenEveryAccountWasCollected()
    {
        // Arrange: only the reachable accounts
        var now = TimeProvider.System.GetUtcNow();
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Aws:MemberAccountIds"] = $"{Prod},{Sandbox}",
            ["IamKey:Exemptions:0:KeyIdSha256"] = KeyIdFormatter.Sha256Hex("AKIAEXAMPLENOWHERE01"),
            ["IamKey:Exemptions:0:Reason"] = "Somewhere",
            ["IamKey:Exemptions:0:Reference"] = "CHG-0001",
            ["IamKey:Exemptions:0:Expires"] = now.AddDays(90).ToString("O"),
        };
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(now), settings: settings);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert: once, on the first account's row
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(
            [$"{Security}:CHG-0001", $"{Prod}:", $"{Sandbox}:"],
            result.Accounts.Select(a => $"{a.AccountId}:{a.UnmatchedExemptions}"));
    }

    [Fact]
    public async Task RunAsync_ShouldKeepTheFindingsOfAnAccountInAnOuNamedLikeAPath_ThatAPolicyForAnotherOuMustNotReach()
    {
        // Arrange: discovery over the emulator's Organizations. Beside Workloads (which holds Prod), an OU at the root is
        // named "Workloads/Prod" and holds the sandbox account, whose dev-test key is 190 days old. Its unescaped path
        // would be Root/Workloads/Prod, under the lenient Root/Workloads policy, and its RotationOverdue would vanish.
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        var org = scenario.Organization!;
        org.OrganizationalUnits.Add(new EmulatorOrganizationalUnit { Id = "ou-ex01-slashed1", Name = "Workloads/Prod", ParentId = org.RootId });
        scenario.Account(Sandbox).ParentId = "ou-ex01-slashed1";
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Aws:Discovery:Source"] = "Organizations",
            ["IamKey:Aws:MemberAccountIds"] = "",
            ["IamKey:Policies:0:Name"] = "prod-by-id",
            ["IamKey:Policies:0:OrganizationalUnitIds"] = "ou-ex01-workload", // Prod is below it, one level down
            ["IamKey:Policies:0:UserName"] = "alice",
            ["IamKey:Policies:0:RotationDays"] = "365",
            ["IamKey:Policies:1:Name"] = "lenient",
            ["IamKey:Policies:1:OrganizationalUnitPath"] = "Root/Workloads",
            ["IamKey:Policies:1:RotationDays"] = "3650",
            ["IamKey:Policies:1:UnusedDays"] = "3650",
        };
        await using var aws = await EmulatedAws.StartAsync(scenario, settings: settings);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true));

        // Assert: every account has its row; the slashed OU's account keeps the Default policy and its finding
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status); // the legacy account denies the central role
        var summaries = result.Accounts.ToDictionary(a => a.AccountId);
        Assert.Equal(
            [(Security, "Succeeded", "Root"), (Prod, "Succeeded", "Root/Workloads/Prod"), (Sandbox, "Succeeded", "Root/Workloads\\/Prod"), (Legacy, "Failed", "Root/Legacy")],
            new[] { Security, Prod, Sandbox, Legacy }.Select(id => (id, summaries[id].Status, summaries[id].OrganizationalUnitPath)));
        var devTest = Keys(result, "dev-test");
        Assert.Equal(["Default", "Default"], devTest.Select(k => k.PolicyName));
        Assert.Equal("Root/Workloads\\/Prod", devTest[0].OrganizationalUnitPath);
        Assert.True(devTest[0].RotationOverdue, "the 190-day-old key must stay RotationOverdue");
        Assert.Equal(90 - 190, devTest[0].DaysUntilBreach);

        // Prod is matched by its OU ID (alice) and by the path of the OU above it (everyone else)
        var alice = Keys(result, "alice").Single(); // 120 days old: overdue under Default, not under its 365-day policy
        Assert.Equal(("prod-by-id", 120, false), (alice.PolicyName, alice.KeyAgeDays, alice.RotationOverdue));
        Assert.All(result.Records.Where(r => r.AccountId == Prod && r.UserName != "alice"), r => Assert.Equal("lenient", r.PolicyName));
        Assert.All(result.Records.Where(r => r.AccountId == Security), r => Assert.Equal("Default", r.PolicyName));
        Assert.Equal(scenario.Accounts.Where(a => a.AccountId is Security or Prod or Sandbox).Sum(a => scenario.ExpectedKeys(a.AccountId).Count), result.Records.Count);
    }

    private static List<KeyRecord> Keys(RunResult result, string userName) =>
        [.. result.Records.Where(r => r.UserName == userName).OrderBy(r => r.KeySlot)];

    private static EmulatorUser User(EmulatorScenario scenario, string accountId, string userName) =>
        scenario.Account(accountId).Users.Single(u => u.UserName == userName);
}
