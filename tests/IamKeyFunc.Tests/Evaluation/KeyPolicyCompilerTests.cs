using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;
using static IamKeyFunc.Tests.Evaluation.PolicyTestKit;

namespace IamKeyFunc.Tests.Evaluation;

public sealed class KeyPolicyCompilerTests
{
    [Theory]
    [InlineData("CisAwsV7", 90, 45)]
    [InlineData("cisawsv7", 90, 45)]
    [InlineData("SecurityHub", 90, 45)]
    [InlineData("Default", 120, 60)]
    [InlineData(null, 120, 60)]
    public void Profile_ShouldSetTheThresholds_AndDefaultShouldBeTheFindingsSettings(string? profile, int rotation, int unused)
    {
        var findings = new FindingsOptions { RotationDays = 120, UnusedDays = 60, NeverUsedGraceDays = 3, WarnBeforeDays = "30,7" };
        var policies = KeyPolicyCompiler.Compile(
            new KeyPolicyOptions { Policies = [new KeyPolicyDefinition { Name = "p", Profile = profile }] }, findings, Now);

        var policy = policies.Ordered.Single();

        Assert.Equal((rotation, unused, 3), (policy.RotationDays, policy.UnusedDays, policy.NeverUsedGraceDays));
        Assert.Equal([30, 7], policy.WarnBeforeDays);
        Assert.Equal((120, 60), (policies.Default.RotationDays, policies.Default.UnusedDays));
    }

    [Fact]
    public void PolicyFields_ShouldOverrideTheProfile()
    {
        var policy = Compile(new KeyPolicyDefinition
        {
            Name = "service",
            Profile = "SecurityHub",
            RotationDays = 365,
            UnusedDays = 180,
            NeverUsedGraceDays = 0,
            WarnBeforeDays = "1, 7,14,7",
        }).Ordered.Single();

        Assert.Equal(PolicyProfile.SecurityHub, policy.Profile);
        Assert.Equal((365, 180, 0), (policy.RotationDays, policy.UnusedDays, policy.NeverUsedGraceDays));
        Assert.Equal([14, 7, 1], policy.WarnBeforeDays);
    }

    [Fact]
    public void EmptyWarnBeforeDays_ShouldMeanNoWarnings()
    {
        Assert.Empty(Compile(new KeyPolicyDefinition { Name = "quiet", WarnBeforeDays = "" }).Ordered.Single().WarnBeforeDays);
    }

    [Theory]
    [InlineData(nameof(KeyPolicyDefinition.Profile), "IamKey:Policies:0 (p): Profile 'Cis' is unknown")]
    [InlineData(nameof(KeyPolicyDefinition.RotationDays), "IamKey:Policies:0 (p): RotationDays must be between 1 and 3650 (was -1)")]
    [InlineData(nameof(KeyPolicyDefinition.UnusedDays), "IamKey:Policies:0 (p): UnusedDays must be between 1 and 3650 (was -1)")]
    [InlineData(nameof(KeyPolicyDefinition.NeverUsedGraceDays), "IamKey:Policies:0 (p): NeverUsedGraceDays must be between 0 and 365 (was -1)")]
    [InlineData(nameof(KeyPolicyDefinition.WarnBeforeDays), "IamKey:Policies:0 (p): WarnBeforeDays has '-1'")]
    [InlineData(nameof(KeyPolicyDefinition.UserName), "IamKey:Policies:0 (p): UserName 'ci-[abc' is not a valid glob")]
    [InlineData(nameof(KeyPolicyDefinition.UserTags), "IamKey:Policies:0 (p): UserTags has '=prod', a tag match with no key")]
    [InlineData(nameof(KeyPolicyDefinition.AccountTags), "IamKey:Policies:0 (p): AccountTags has '=prod', a tag match with no key")]
    [InlineData(nameof(KeyPolicyDefinition.AccountIds), "IamKey:Policies:0 (p): AccountIds has '12345'")]
    [InlineData(nameof(KeyPolicyDefinition.UserPath), "IamKey:Policies:0 (p): UserPath 'service/' must start with '/'")]
    public void BadPolicy_ShouldFailNamingThePolicyAndTheField(string field, string expected)
    {
        var definition = new KeyPolicyDefinition { Name = "p" };
        switch (field)
        {
            case nameof(KeyPolicyDefinition.Profile): definition.Profile = "Cis"; break;
            case nameof(KeyPolicyDefinition.RotationDays): definition.RotationDays = -1; break;
            case nameof(KeyPolicyDefinition.UnusedDays): definition.UnusedDays = -1; break;
            case nameof(KeyPolicyDefinition.NeverUsedGraceDays): definition.NeverUsedGraceDays = -1; break;
            case nameof(KeyPolicyDefinition.WarnBeforeDays): definition.WarnBeforeDays = "14,-1"; break;
            case nameof(KeyPolicyDefinition.UserName): definition.UserName = "ci-[abc"; break;
            case nameof(KeyPolicyDefinition.UserTags): definition.UserTags = "=prod"; break;
            case nameof(KeyPolicyDefinition.AccountTags): definition.AccountTags = "Owner,=prod"; break;
            case nameof(KeyPolicyDefinition.AccountIds): definition.AccountIds = "111122223333,12345"; break;
            case nameof(KeyPolicyDefinition.UserPath): definition.UserPath = "service/"; break;
        }

        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [definition] });

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.Single(errors);
    }

    [Fact]
    public void PoliciesWithoutNameOrWithTheSameName_ShouldFail()
    {
        var errors = ProblemsOf(new KeyPolicyOptions
        {
            Policies = [new() { Name = "ci" }, new() { Name = "CI" }, new() { Name = " " }, new() { Name = "Default" }],
        });

        Assert.Contains(errors, e => e.StartsWith("IamKey:Policies:1 (CI): Name 'CI' is used twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IamKey:Policies:2: Name is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IamKey:Policies:3 (Default): Name 'Default' is used twice", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultWarnBeforeDays_ShouldBeCheckedAsAFindingsSetting()
    {
        var errors = ProblemsOf(new KeyPolicyOptions(), new FindingsOptions { WarnBeforeDays = "14,soon" });

        Assert.StartsWith("IamKey:Findings:WarnBeforeDays has 'soon'", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyFile_ShouldAddItsPoliciesAndExemptions_AfterThoseOfTheAppSettings()
    {
        var path = Path.Combine(Path.GetTempPath(), $"iamkey-policies-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "Policies": [
                { "Name": "service", "Profile": "CisAwsV7", "UserPath": "/service/", "RotationDays": 365, "WarnBeforeDays": "30,7,1" },
                { "Name": "shadowed", "UserName": "ci-*" }
              ],
              "Exemptions": [
                { "UserArn": "arn:aws:iam::111122223333:user/legacy", "Reason": "vendor appliance", "Reference": "CHG-42", "Expires": "2026-12-31T00:00:00Z" }
              ]
            }
            """);
        try
        {
            var policies = KeyPolicyCompiler.Compile(
                new KeyPolicyOptions { Policies = [new() { Name = "ci", UserName = "ci-*", RotationDays = 7 }], PolicyFile = path }, new FindingsOptions(), Now);

            Assert.Equal(["ci", "service", "shadowed"], policies.Ordered.Select(p => p.Name));
            Assert.Equal("ci", policies.For(Owner(userName: "ci-x")).Name);
            var service = policies.For(Owner(path: "/service/"));
            Assert.Equal(("service", 365, 45), (service.Name, service.RotationDays, service.UnusedDays));
            Assert.Equal([30, 7, 1], service.WarnBeforeDays);
            var exemption = Assert.Single(policies.Exemptions.All);
            Assert.Equal(("111122223333", "CHG-42"), (exemption.AccountId, exemption.Reference));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PolicyFile_ShouldFailNamingTheSettingAndThePolicy()
    {
        var path = Path.Combine(Path.GetTempPath(), $"iamkey-policies-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "Policies": [ { "Name": "svc", "UserName": "[" } ] }""");
        try
        {
            var errors = ProblemsOf(new KeyPolicyOptions { PolicyFile = path });

            Assert.StartsWith($"IamKey:PolicyFile ({path}) Policies[0] (svc): UserName '[' is not a valid glob", Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingOrBrokenPolicyFile_ShouldFailNamingTheSetting()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"iamkey-missing-{Guid.NewGuid():N}.json");
        var broken = Path.Combine(Path.GetTempPath(), $"iamkey-broken-{Guid.NewGuid():N}.json");
        File.WriteAllText(broken, "{ \"Policies\": [ ");
        try
        {
            Assert.StartsWith($"IamKey:PolicyFile: the policy document '{missing}' could not be read", Assert.Single(ProblemsOf(new KeyPolicyOptions { PolicyFile = missing })), StringComparison.Ordinal);
            Assert.StartsWith($"IamKey:PolicyFile: the policy document '{broken}' could not be read", Assert.Single(ProblemsOf(new KeyPolicyOptions { PolicyFile = broken })), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
