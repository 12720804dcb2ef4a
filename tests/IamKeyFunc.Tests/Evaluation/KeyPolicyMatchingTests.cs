using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;
using static IamKeyFunc.Tests.Evaluation.PolicyTestKit;

namespace IamKeyFunc.Tests.Evaluation;

public sealed class KeyPolicyMatchingTests
{
    [Fact]
    public void For_ShouldGiveTheDefaultPolicy_WhenNoPolicyIsConfigured()
    {
        var policies = Compile();

        var policy = policies.For(Owner());

        Assert.Equal("Default", policy.Name);
        Assert.Equal((90, 90, 7), (policy.RotationDays, policy.UnusedDays, policy.NeverUsedGraceDays));
        Assert.Equal([14], policy.WarnBeforeDays);
    }

    [Theory]
    [InlineData("111122223333", "prod")]
    [InlineData("444455556666", "prod")]
    [InlineData("777788889999", "Default")]
    public void AccountIds_ShouldMatchAnyListedAccount(string accountId, string expected)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "prod", AccountIds = "111122223333, 444455556666" });

        Assert.Equal(expected, policies.For(Owner(accountId: accountId)).Name);
    }

    [Theory]
    [InlineData("Root/Workloads", "workloads")]
    [InlineData("Root/Workloads/Prod", "workloads")]
    [InlineData("Root/WorkloadsOld", "Default")]
    [InlineData("Root/workloads", "Default")]
    [InlineData("Root", "Default")]
    [InlineData("Root/Workloads\\/Prod", "Default")]
    [InlineData(null, "Default")]
    public void OrganizationalUnitPath_ShouldMatchThePathAndItsDescendants(string? ou, string expected)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "workloads", OrganizationalUnitPath = "Root/Workloads" });

        Assert.Equal(expected, policies.For(Owner(ou: ou)).Name);
    }

    [Theory]
    [InlineData("Root/Prod\\/Payments", "payments")]
    [InlineData("Root/Prod\\/Payments/Eu", "payments")]
    [InlineData("Root/Prod/Payments", "Default")]
    [InlineData("Root/Prod", "Default")]
    public void OrganizationalUnitPath_ShouldMatchAnOuWhoseNameHoldsASlash_OnlyAsThatOu(string ou, string expected)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "payments", OrganizationalUnitPath = "Root/Prod\\/Payments" });

        Assert.Equal(expected, policies.For(Owner(ou: ou)).Name);
    }

    [Theory]
    [InlineData(new[] { "r-ab12", "ou-ab12-workload" }, "workloads")]
    [InlineData(new[] { "r-ab12", "ou-ab12-workload", "ou-ab12-prod0001" }, "workloads")]
    [InlineData(new[] { "r-ab12", "ou-ab12-sandbox1" }, "Default")]
    [InlineData(new string[0], "Default")]
    public void OrganizationalUnitIds_ShouldMatchAccountsInTheOuOrBelowIt(string[] ancestors, string expected)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "workloads", OrganizationalUnitIds = "ou-ab12-workload, ou-ab12-legacy01" });
        var owner = Owner();

        var policy = policies.For(owner with { Account = owner.Account with { OrganizationalUnitIds = ancestors } });

        Assert.Equal(expected, policy.Name);
    }

    [Fact]
    public void AccountTags_ShouldNeedEveryListedTag_AndAKeyAloneMeansPresent()
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "prod-owned", AccountTags = "Environment=prod,Owner" });

        Assert.Equal("prod-owned", policies.For(Owner(accountTags: Tags(("Environment", "prod"), ("Owner", "team-a")))).Name);
        Assert.Equal("Default", policies.For(Owner(accountTags: Tags(("Environment", "prod")))).Name);
        Assert.Equal("Default", policies.For(Owner(accountTags: Tags(("Environment", "Prod"), ("Owner", "x")))).Name);
        Assert.Equal("Default", policies.For(Owner()).Name);
    }

    [Theory]
    [InlineData("/service/", "service")]
    [InlineData("/service/ci/", "service")]
    [InlineData("/services/", "Default")]
    [InlineData("/", "Default")]
    public void UserPath_ShouldMatchByPrefix(string path, string expected)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "service", UserPath = "/service/" });

        Assert.Equal(expected, policies.For(Owner(path: path)).Name);
    }

    [Theory]
    [InlineData("ci-deploy", "ci")]
    [InlineData("CI-Build", "ci")]
    [InlineData("ci-", "ci")]
    [InlineData("my-ci-deploy", "Default")]
    [InlineData("ci", "Default")]
    public void UserName_ShouldMatchTheGlobCaseInsensitively(string userName, string expected)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "ci", UserName = "ci-*" });

        Assert.Equal(expected, policies.For(Owner(userName: userName)).Name);
    }

    [Theory]
    [InlineData("svc-a1", true)]
    [InlineData("svc-b9", true)]
    [InlineData("svc-c1", false)]
    [InlineData("svc-a10", false)]
    public void UserName_ShouldSupportQuestionMarksAndSets(string userName, bool matches)
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "svc", UserName = "svc-[ab]?" });

        Assert.Equal(matches, policies.For(Owner(userName: userName)).Name == "svc");
    }

    [Fact]
    public void UserTags_ShouldMatchOnlyWhenTheTagsWereFetchedAndHold()
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "break-glass", UserTags = "Purpose=break-glass" });

        Assert.True(policies.NeedUserTags);
        Assert.Equal("break-glass", policies.For(Owner(userTags: Tags(("Purpose", "break-glass")))).Name);
        Assert.Equal("Default", policies.For(Owner(userTags: Tags(("Purpose", "other")))).Name);
        Assert.Equal("Default", policies.For(Owner(userTags: null)).Name);
    }

    [Fact]
    public void NeedUserTags_ShouldBeFalse_WhenNoPolicyMatchesOnUserTags()
    {
        var policies = Compile(new KeyPolicyDefinition { Name = "ci", UserName = "ci-*", AccountTags = "Environment=prod" });

        Assert.False(policies.NeedUserTags);
    }

    [Fact]
    public void Conditions_ShouldAllHold_WhenCombined()
    {
        var policies = Compile(new KeyPolicyDefinition
        {
            Name = "prod-ci",
            AccountIds = "111122223333",
            OrganizationalUnitPath = "Root/Prod",
            AccountTags = "Environment=prod",
            UserPath = "/ci/",
            UserName = "deploy-*",
            UserTags = "Team",
        });
        var match = Owner(ou: "Root/Prod/Eu", accountTags: Tags(("Environment", "prod")), path: "/ci/", userName: "deploy-web", userTags: Tags(("Team", "web")));

        Assert.Equal("prod-ci", policies.For(match).Name);
        Assert.Equal("Default", policies.For(match with { Account = match.Account with { AccountId = "444455556666" } }).Name);
        Assert.Equal("Default", policies.For(match with { Account = match.Account with { OrganizationalUnitPath = "Root/Dev" } }).Name);
        Assert.Equal("Default", policies.For(match with { Account = match.Account with { Tags = Tags(("Environment", "dev")) } }).Name);
        Assert.Equal("Default", policies.For(match with { UserPath = "/" }).Name);
        Assert.Equal("Default", policies.For(match with { UserName = "build-web" }).Name);
        Assert.Equal("Default", policies.For(match with { UserTags = Tags(("Owner", "web")) }).Name);
    }

    [Fact]
    public void For_ShouldPickTheFirstMatchingPolicy_InConfiguredOrder()
    {
        var policies = Compile(
            new KeyPolicyDefinition { Name = "ci", UserName = "ci-*", RotationDays = 7 },
            new KeyPolicyDefinition { Name = "service", UserPath = "/service/", RotationDays = 365 },
            new KeyPolicyDefinition { Name = "prod", AccountIds = "111122223333", RotationDays = 60 });

        Assert.Equal("ci", policies.For(Owner(userName: "ci-x", path: "/service/")).Name);
        Assert.Equal("service", policies.For(Owner(userName: "backup", path: "/service/")).Name);
        Assert.Equal("prod", policies.For(Owner(userName: "alice")).Name);
        Assert.Equal("Default", policies.For(Owner(accountId: "444455556666")).Name);
        Assert.Equal(7, policies.For(Owner(userName: "ci-x")).RotationDays);
    }

    [Fact]
    public void PolicyWithoutConditions_ShouldNotCompile_SoOnlyTheDefaultCatchesEveryKey()
    {
        Assert.False(KeyPolicyCompiler.TryCompile(
            new KeyPolicyOptions { Policies = [new() { Name = "ci", UserName = "ci-*" }, new() { Name = "everyone", Profile = "CisAwsV7" }] },
            new FindingsOptions(),
            Now,
            out _,
            out var errors));
        Assert.StartsWith("IamKey:Policies:1 (everyone): a policy needs at least one match field", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:user/alice", "/")]
    [InlineData("arn:aws:iam::111122223333:user/service/backup", "/service/")]
    [InlineData("arn:aws-cn:iam::111122223333:user/a/b/c", "/a/b/")]
    [InlineData("arn:aws:iam::111122223333:root", "/")]
    public void PathOfArn_ShouldReadTheUserPathFromItsArn(string arn, string path)
    {
        Assert.Equal(path, KeyOwner.PathOfArn(arn));
    }
}
