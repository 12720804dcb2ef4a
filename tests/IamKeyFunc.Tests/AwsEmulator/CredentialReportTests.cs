using System.Globalization;
using System.Net;
using System.Text;
using IamKeyFunc.AwsEmulator.Scenario;
using static IamKeyFunc.Tests.AwsEmulator.IamAuthenticationTests;

namespace IamKeyFunc.Tests.AwsEmulator;

public sealed class CredentialReportTests
{
    private const string Header =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
        "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
        "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
        "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    [Fact]
    public async Task StateMachine_ShouldGoFromNotPresentThroughInProgressToComplete_ThenExpire()
    {
        await using var h = await EmulatorHarness.StartAsync(configure: o => o.CredentialReportDelay = TimeSpan.FromSeconds(10));
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var notPresent = await h.Client.IamAsync(credentials, "GetCredentialReport");
        var started = await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        var inProgress = await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        var notReady = await h.Client.IamAsync(credentials, "GetCredentialReport");
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var complete = await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        var report = await h.Client.IamAsync(credentials, "GetCredentialReport");
        h.Time.Advance(TimeSpan.FromHours(3));
        credentials = await h.Client.AssumeCentralRoleAsync(); // sessions last an hour
        var reused = await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        var sameReport = await h.Client.IamAsync(credentials, "GetCredentialReport");
        h.Time.Advance(TimeSpan.FromHours(1));
        var expired = await h.Client.IamAsync(await h.Client.AssumeCentralRoleAsync(), "GetCredentialReport");

        AssertError(notPresent, HttpStatusCode.Gone, "ReportNotPresent", "credential report");
        Assert.Equal("STARTED", started.Value("State"));
        Assert.Equal("INPROGRESS", inProgress.Value("State"));
        AssertError(notReady, HttpStatusCode.NotFound, "ReportInProgress", "being generated");
        Assert.Equal("COMPLETE", complete.Value("State"));
        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Equal("text/csv", report.Value("ReportFormat"));
        Assert.Equal("2026-09-15T12:00:10Z", report.Value("GeneratedTime"));
        Assert.Equal("COMPLETE", reused.Value("State"));
        Assert.Equal(report.Value("GeneratedTime"), sameReport.Value("GeneratedTime"));
        AssertError(expired, HttpStatusCode.Gone, "ReportExpired", "expired");
    }

    [Fact]
    public async Task Generate_ShouldStartANewReport_WhenTheLastIsOlderThanFourHours()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var credentials = await h.Client.AssumeCentralRoleAsync(); // sessions last an hour; renew for each phase
        await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        h.Time.Advance(TimeSpan.FromHours(4));
        credentials = await h.Client.AssumeCentralRoleAsync();

        var restarted = await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        var report = await h.Client.IamAsync(credentials, "GetCredentialReport");

        Assert.Equal("STARTED", restarted.Value("State"));
        Assert.Equal("2026-09-15T16:00:00Z", report.Value("GeneratedTime"));
    }

    [Fact]
    public async Task Content_ShouldBeTheDocumentedCsv_WithRootRowAndNotApplicableRules()
    {
        var scenario = ScenarioGenerator.SampleOrganization(EmulatorHarness.Start);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        var prod = scenario.Accounts.Single(a => a.Alias == "example-prod");
        var rows = await ReadReportAsync(h, prod);

        Assert.Equal(Header, rows[0]);
        Assert.Equal(prod.Users.Count + 2, rows.Count);
        Assert.All(rows, r => Assert.Equal(22, r.Split(',').Length));

        var root = Row(rows, ExpectedAccessKey.RootUserName);
        var rootKey = prod.RootAccessKeys.Single();
        Assert.Equal(prod.RootArn, root[1]);
        Assert.Equal(("not_supported", "not_supported", "not_supported"), (root[3], root[5], root[6]));
        Assert.Equal(("true", Time(rootKey.CreateDate), Time(rootKey.LastUsed!.Date)), (root[8], root[9], root[10]));
        Assert.Equal("false", root[13]);

        var bob = Row(rows, "bob"); // console user, no keys
        Assert.Equal(("true", "false", "N/A", "N/A", "N/A", "N/A"), (bob[3], bob[8], bob[9], bob[10], bob[11], bob[12]));
        Assert.NotEqual("N/A", bob[4]);

        var terraform = Row(rows, "terraform"); // no password, one never-used key
        Assert.Equal(("false", "N/A", "N/A", "N/A"), (terraform[3], terraform[4], terraform[5], terraform[6]));
        Assert.Equal(("true", "N/A", "N/A", "N/A"), (terraform[8], terraform[10], terraform[11], terraform[12]));

        var legacy = Row(rows, "legacy-backup"); // S3: non-regional
        Assert.Equal(("N/A", "s3"), (legacy[11], legacy[12]));

        var ciDeploy = Row(rows, "ci-deploy"); // slot 1 = older inactive key
        var keys = prod.Users.Single(u => u.UserName == "ci-deploy").KeysInSlotOrder().ToList();
        Assert.Equal(("false", Time(keys[0].CreateDate)), (ciDeploy[8], ciDeploy[9]));
        Assert.Equal(("true", Time(keys[1].CreateDate)), (ciDeploy[13], ciDeploy[14]));
        Assert.Equal(("false", "N/A", "false", "N/A"), (ciDeploy[18], ciDeploy[19], ciDeploy[20], ciDeploy[21]));
    }

    [Fact]
    public async Task Content_ShouldShowNotApplicableRotation_ForInactiveKeys_WhenConfiguredAsDocumented()
    {
        var scenario = ScenarioGenerator.SampleOrganization(EmulatorHarness.Start);
        await using var h = await EmulatorHarness.StartAsync(scenario, o => o.ReportLastRotatedForInactiveKeys = false);
        var prod = scenario.Accounts.Single(a => a.Alias == "example-prod");

        var ciDeploy = Row(await ReadReportAsync(h, prod), "ci-deploy");

        Assert.Equal(("false", "N/A"), (ciDeploy[8], ciDeploy[9]));
    }

    [Fact]
    public async Task Reports_ShouldBeKeptPerAccount()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 2));
        var member = h.Emulator.Scenario.Accounts[1];
        var central = await h.Client.AssumeCentralRoleAsync();
        var chained = await h.Client.AssumeRoleAsync(central, member.RoleArn(member.Roles[0]));
        await h.Client.IamAsync(central, "GenerateCredentialReport");

        var memberReport = await h.Client.IamAsync(chained, "GetCredentialReport");

        Assert.Equal("ReportNotPresent", memberReport.ErrorCode);
    }

    private static async Task<List<string>> ReadReportAsync(EmulatorHarness h, EmulatorAccount account)
    {
        var central = await h.Client.AssumeCentralRoleAsync();
        var credentials = account == h.Emulator.Scenario.CentralAccount ? central : await h.Client.AssumeRoleAsync(central, account.RoleArn(account.Roles[0]));
        await h.Client.IamAsync(credentials, "GenerateCredentialReport");
        var answer = await h.Client.IamAsync(credentials, "GetCredentialReport");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return [.. Encoding.UTF8.GetString(Convert.FromBase64String(answer.Value("Content")!)).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static string[] Row(List<string> rows, string user) => rows.Single(r => r.StartsWith(user + ",", StringComparison.Ordinal)).Split(',');

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}
