using Amazon.Runtime;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Tests.Aws.Iam;

namespace IamKeyFunc.Tests.AwsEmulator;

/// <summary>The emulator's authorization details, summary and user tags, read by the product's own IAM client.</summary>
public sealed class AuthorizationOperationsTests
{
    [Fact]
    public async Task AuthorizationDetails_ShouldPageOverUsersGroupsAndPolicies_AndYieldEachUsersPrivilege()
    {
        var scenario = PermissionScenario(extraUsers: 150);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        var client = await ClientAsync(h);

        var details = await client.GetAllAccountAuthorizationDetailsAsync();
        var privileges = PrivilegeAnalyzer.Analyze(details);

        Assert.Equal(2, details.Pages);
        Assert.Equal(scenario.Accounts[0].Users.Count, details.Users.Count);
        Assert.Equal(["Admins", "Readers"], details.Groups.Select(g => g.GroupName));
        Assert.Contains(details.Policies, p => p.PolicyName == "KeyRotator" && p.DefaultDocument!.Contains("iam:UpdateAccessKey", StringComparison.Ordinal));
        Assert.Contains(details.Policies, p => p.Arn == AwsManagedPolicies.Arn(AwsManagedPolicies.AdministratorAccess));
        Assert.Equal(new UserPrivilege(true, true, "Admins/AdministratorAccess"), privileges["ops-admin"]);
        Assert.Equal(new UserPrivilege(true, true, "star-star"), privileges["legacy-bot"]);
        Assert.Equal(new UserPrivilege(false, true, "KeyRotator"), privileges["rotator"]);
        Assert.Equal(new UserPrivilege(false, false, "Readers/ReadOnlyAccess"), privileges["analyst"]);
        Assert.Equal(new UserPrivilege(false, false, ""), privileges["user-000"]);
        Assert.Equal([new IamTag("Owner", "team-a")], details.Users.Single(u => u.UserName == "legacy-bot").Tags);
    }

    [Fact]
    public async Task AuthorizationDetails_ShouldListOnlyTheAskedEntityTypes_AndRejectUnknownOnes()
    {
        await using var h = await EmulatorHarness.StartAsync(PermissionScenario(extraUsers: 0));
        var client = await ClientAsync(h);

        var groupsOnly = await client.GetAccountAuthorizationDetailsAsync(["Group"]);
        var error = await Assert.ThrowsAsync<IamException>(() => client.GetAccountAuthorizationDetailsAsync(["Users"]));

        Assert.Empty(groupsOnly.Users);
        Assert.Empty(groupsOnly.Policies);
        Assert.Equal(2, groupsOnly.Groups.Count);
        Assert.Equal("ValidationError", error.ErrorCode);
    }

    [Fact]
    public async Task GetAccountSummary_ShouldReportTheRootUsersKeysAndMfa()
    {
        var scenario = PermissionScenario(extraUsers: 0);
        scenario.Accounts[0].RootMfaActive = false;
        scenario.Accounts[0].RootAccessKeys.Add(new EmulatorAccessKey { AccessKeyId = "AKIAROOTKEY000000001", CreateDate = EmulatorHarness.Start.AddDays(-900) });
        await using var h = await EmulatorHarness.StartAsync(scenario);
        var client = await ClientAsync(h);

        var summary = await client.GetAccountSummaryAsync();

        Assert.True(summary.AccessKeysPresent);
        Assert.False(summary.MfaEnabled);
        Assert.Equal(scenario.Accounts[0].Users.Count, summary.Values["Users"]);
    }

    [Fact]
    public async Task ListUserTags_ShouldAnswerTheUsersTags_AndNoSuchEntityForAnUnknownUser()
    {
        await using var h = await EmulatorHarness.StartAsync(PermissionScenario(extraUsers: 0));
        var client = await ClientAsync(h);

        var tags = await client.ListUserTagsAsync("legacy-bot");
        var missing = await Assert.ThrowsAsync<IamException>(() => client.ListUserTagsAsync("nobody"));

        Assert.Equal([new IamTag("Owner", "team-a")], tags);
        Assert.Equal("NoSuchEntity", missing.ErrorCode);
    }

    /// <summary>An admin group, a user with an inline <c>*:*</c>, a credential manager, a reader, and harmless users.</summary>
    internal static EmulatorScenario PermissionScenario(int extraUsers)
    {
        var scenario = EmulatorHarness.Generated(accounts: 1, users: extraUsers);
        var account = scenario.Accounts[0];
        var created = EmulatorHarness.Start.AddDays(-100);
        account.Groups.Add(new EmulatorGroup
        {
            GroupName = "Admins",
            GroupId = "AGPAADMINS0000000001",
            CreateDate = created,
            AttachedPolicyArns = [AwsManagedPolicies.Arn(AwsManagedPolicies.AdministratorAccess)],
        });
        account.Groups.Add(new EmulatorGroup
        {
            GroupName = "Readers",
            GroupId = "AGPAREADERS000000001",
            CreateDate = created,
            AttachedPolicyArns = [AwsManagedPolicies.Arn(AwsManagedPolicies.ReadOnlyAccess)],
        });
        account.ManagedPolicies.Add(new EmulatorManagedPolicy
        {
            PolicyName = "KeyRotator",
            PolicyId = "ANPAROTATOR000000001",
            CreateDate = created,
            Versions =
            [
                new() { VersionId = "v1", IsDefaultVersion = false, CreateDate = created, Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""" },
                new() { VersionId = "v2", IsDefaultVersion = true, CreateDate = created.AddDays(1), Document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListAccessKeys","iam:UpdateAccessKey"],"Resource":"*"}]}""" },
            ],
        });
        account.Users.Add(User("ops-admin", u => u.GroupNames.Add("Admins")));
        account.Users.Add(User("legacy-bot", u =>
        {
            u.Path = "/service/";
            u.InlinePolicies.Add(new EmulatorInlinePolicy { PolicyName = "star-star", Document = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*:*","Resource":"*"}}""" });
            u.Tags.Add(new EmulatorTag { Key = "Owner", Value = "team-a" });
        }));
        account.Users.Add(User("rotator", u => u.AttachedPolicyArns.Add($"arn:aws:iam::{account.AccountId}:policy/KeyRotator")));
        account.Users.Add(User("analyst", u => u.GroupNames.Add("Readers")));
        account.Users.Add(User("user-000", _ => { }));
        return scenario;

        EmulatorUser User(string name, Action<EmulatorUser> configure)
        {
            var user = new EmulatorUser { UserName = name, UserId = "AIDA" + name.ToUpperInvariant().Replace("-", "", StringComparison.Ordinal).PadRight(17, '0'), CreateDate = created };
            configure(user);
            return user;
        }
    }

    private static async Task<IamClient> ClientAsync(EmulatorHarness h)
    {
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var options = IamTestClients.FastOptions();
        options.PageSize = 100;
        return new IamClient(
            new HttpClient(), new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            h.Emulator.Endpoint, "us-east-1", options, h.Time);
    }
}
