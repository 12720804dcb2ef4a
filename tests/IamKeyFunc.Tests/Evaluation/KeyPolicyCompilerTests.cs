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
            new KeyPolicyOptions { Policies = [new KeyPolicyDefinition { Name = "p", UserPath = "/", Profile = profile }] }, findings, Now);

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
            UserPath = "/service/",
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
        Assert.Empty(Compile(new KeyPolicyDefinition { Name = "quiet", UserPath = "/", WarnBeforeDays = "" }).Ordered.Single().WarnBeforeDays);
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
    [InlineData(nameof(KeyPolicyDefinition.OrganizationalUnitIds), "IamKey:Policies:0 (p): OrganizationalUnitIds has 'Prod', which is not an OU ID (ou-ab12-cdef3456) or a root ID (r-ab12).")]
    [InlineData(nameof(KeyPolicyDefinition.OrganizationalUnitPath), "IamKey:Policies:0 (p): OrganizationalUnitPath 'Root/Prod\\Payments' is not an OU path such as Root/Workloads: the '\\' at position 10 escapes neither '/' nor '\\'")]
    public void BadPolicy_ShouldFailNamingThePolicyAndTheField(string field, string expected)
    {
        var definition = new KeyPolicyDefinition { Name = "p", UserName = "*" };
        switch (field)
        {
            case nameof(KeyPolicyDefinition.Profile): definition.Profile = "Cis"; break;
            case nameof(KeyPolicyDefinition.RotationDays): definition.RotationDays = -1; break;
            case nameof(KeyPolicyDefinition.UnusedDays): definition.UnusedDays = -1; break;
            case nameof(KeyPolicyDefinition.NeverUsedGraceDays): definition.NeverUsedGraceDays = -1; break;
            case nameof(KeyPolicyDefinition.WarnBeforeDays): definition.WarnBeforeDays = "14,-1"; break;
            case nameof(KeyPolicyDefinition.UserName): definition.UserName = "ci-[abc"; break;
            case nameof(KeyPolicyDefinition.OrganizationalUnitIds): definition.OrganizationalUnitIds = "ou-ab12-cdef3456,Prod"; break;
            case nameof(KeyPolicyDefinition.OrganizationalUnitPath): definition.OrganizationalUnitPath = "Root/Prod\\Payments"; break;
            case nameof(KeyPolicyDefinition.UserTags): definition.UserTags = "=prod"; break;
            case nameof(KeyPolicyDefinition.AccountTags): definition.AccountTags = "Owner,=prod"; break;
            case nameof(KeyPolicyDefinition.AccountIds): definition.AccountIds = "111122223333,12345"; break;
            case nameof(KeyPolicyDefinition.UserPath): definition.UserPath = "service/"; break;
        }

        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [definition] });

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.Single(errors);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("CisAwsV7, SecurityHub")]
    [InlineData("Cis")]
    public void Profile_ShouldBeOneOfTheNames_NeverANumberOrACombination(string profile)
    {
        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [new() { Name = "p", UserPath = "/", Profile = profile }] });

        Assert.Equal([$"IamKey:Policies:0 (p): Profile '{profile}' is unknown; use Default, CisAwsV7, SecurityHub."], errors);
    }

    [Theory]
    [InlineData("ci\nDefault")]
    [InlineData("ci\u001b[31m")]
    public void PolicyName_ShouldHoldNoControlCharacter_SinceRecordsAndTheConsoleShowIt(string name)
    {
        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [new() { Name = name, UserPath = "/" }] });

        Assert.Equal(["IamKey:Policies:0: Name must be at most 128 characters without control characters (it is the records' PolicyName)."], errors);
    }

    [Fact]
    public void PoliciesWithoutNameOrWithTheSameName_ShouldFail()
    {
        var errors = ProblemsOf(new KeyPolicyOptions
        {
            Policies =
            [
                new() { Name = "ci", UserName = "ci-*" }, new() { Name = "CI", UserName = "ci-*" }, new() { Name = " ", UserName = "x" },
                new() { Name = "default", UserPath = "/" },
            ],
        });

        Assert.Equal(
            [
                "IamKey:Policies:1 (CI): Name 'CI' is used twice.",
                "IamKey:Policies:2: Name is required.",
                "IamKey:Policies:3 (default): Name 'default' is reserved: the Default policy is implicit, built from IamKey:Findings for the keys no policy matches; " +
                    "change IamKey:Findings:* to change it, or name this policy otherwise.",
            ],
            errors);
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
    public async Task PolicyFile_ShouldFailAtOnce_WhenItIsANamedPipeOrEmpty()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // mkfifo; CI runs on Linux
        }

        // Opening a pipe nobody writes to blocks forever: start-up would hang instead of naming the setting.
        var fifo = Path.Combine(Path.GetTempPath(), $"iamkey-fifo-{Guid.NewGuid():N}.json");
        var empty = Path.Combine(Path.GetTempPath(), $"iamkey-empty-{Guid.NewGuid():N}.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.WriteAllText(empty, "");
        try
        {
            var problems = await Task.Run(() => (ProblemsOf(new KeyPolicyOptions { PolicyFile = fifo }), ProblemsOf(new KeyPolicyOptions { PolicyFile = empty })))
                .WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal($"IamKey:PolicyFile: the policy document '{fifo}' is empty or not a regular file.", Assert.Single(problems.Item1));
            Assert.Equal($"IamKey:PolicyFile: the policy document '{empty}' is empty or not a regular file.", Assert.Single(problems.Item2));
        }
        finally
        {
            File.Delete(fifo);
            File.Delete(empty);
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
            Assert.StartsWith($"IamKey:PolicyFile: the policy document '{broken}' is not valid JSON: ", Assert.Single(ProblemsOf(new KeyPolicyOptions { PolicyFile = broken })), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Theory]
    [InlineData(nameof(KeyPolicyDefinition.UserName), "   ")]
    [InlineData(nameof(KeyPolicyDefinition.UserPath), "")]
    [InlineData(nameof(KeyPolicyDefinition.AccountIds), " , ")]
    [InlineData(nameof(KeyPolicyDefinition.OrganizationalUnitPath), " ")]
    [InlineData(nameof(KeyPolicyDefinition.OrganizationalUnitIds), ",")]
    [InlineData(nameof(KeyPolicyDefinition.AccountTags), "  ")]
    [InlineData(nameof(KeyPolicyDefinition.UserTags), "")]
    public void BlankMatchField_ShouldFail_EvenBesideAMatchFieldWithAValue(string field, string blank)
    {
        // A blank field dropped silently would widen the policy: {UserName: "ci-*", UserPath: " "} would cover every path.
        var definition = new KeyPolicyDefinition { Name = "ci", RotationDays = 7, UserName = field == nameof(KeyPolicyDefinition.UserName) ? null : "ci-*" };
        typeof(KeyPolicyDefinition).GetProperty(field)!.SetValue(definition, blank);

        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [definition] });

        Assert.Equal([$"IamKey:Policies:0 (ci): {field} is blank; give it a value or leave it out (a blank match field must not widen the policy)."], errors);
    }

    [Fact]
    public void PolicyWithoutAnyMatchField_ShouldFail_BecauseDefaultIsTheOnlyCatchAll()
    {
        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [new() { Name = "everyone", Profile = "CisAwsV7", RotationDays = 7 }] });

        Assert.Equal(
            [
                "IamKey:Policies:0 (everyone): a policy needs at least one match field (AccountIds, OrganizationalUnitPath, OrganizationalUnitIds, AccountTags, UserPath, UserName or UserTags); " +
                    "keys that no policy matches get the Default policy (IamKey:Findings), the only catch-all.",
            ],
            errors);
    }

    [Fact]
    public void PolicyDocument_ShouldRefuseAMistypedField_NamingItAndTheFieldItMeant_InsteadOfCatchingEveryKey()
    {
        // The case: {"Name":"ci","UserNmae":"ci-*","RotationDays":7} used to apply the 7-day policy to every key.
        var errors = ProblemsOfDocument("""{"Policies": [{"Name": "ci", "UserNmae": "ci-*", "RotationDays": 7}]}""", out var path);

        Assert.Contains($"IamKey:PolicyFile ({path}) Policies[0].UserNmae is not a known field; did you mean UserName?", errors);
        Assert.Contains(errors, e => e.StartsWith($"IamKey:PolicyFile ({path}) Policies[0] (ci): a policy needs at least one match field", StringComparison.Ordinal));
    }

    [Fact]
    public void PolicyDocument_ShouldNameTheFullPathOfAValueThatDoesNotConvert_AndDropNoEntry()
    {
        var errors = ProblemsOfDocument(
            """
            {
              "Policies": [
                { "Name": "ci", "UserName": "ci-*" },
                { "Name": "services", "UserPath": "/service/", "RotationDays": "seven" }
              ],
              "Exemptions": [
                { "UserArn": "arn:aws:iam::111122223333:user/legacy", "Reason": "r", "Reference": "CHG-1", "Expires": "next tuesday" }
              ]
            }
            """,
            out var path);

        Assert.Equal(
            [
                $"IamKey:PolicyFile ({path}) Policies[1].RotationDays is 'seven': expected a number (Int32).",
                $"IamKey:PolicyFile ({path}) Exemptions[0].Expires is 'next tuesday': expected a date and time such as 2026-12-31T00:00:00Z.",
                $"IamKey:PolicyFile ({path}) Exemptions[0] (CHG-1): Expires is required.",
            ],
            errors);
    }

    [Theory]
    [InlineData("""{"Policy": []}""", "{0} Policy is not a known field; did you mean Policies?")]
    [InlineData("""{"Policies": [], "PolicyFile": "other.json"}""", "{0} PolicyFile is not a known field; the fields of {0} are Exemptions, Policies.")]
    [InlineData("""{"Policies": {"Name": "ci"}}""", "{0} Policies.Name is not an entry of the list {0} Policies: entries are numbered 0, 1, 2, … (did you mean {0} Policies[0].Name?).")]
    [InlineData("""{"Policies": [{"Name": "ci", "UserName": ["ci-*"]}]}""", "{0} Policies[0].UserName must be a single value (expected a value of type String), but has fields below it, such as {0} Policies[0].UserName.0.")]
    [InlineData("""{"Policies": [{"Name": "ci", "name": "ci2", "UserName": "x"}]}""", "{0} Policies[0].name is given twice (names ignore case).")]
    [InlineData("""[{"Name": "ci"}]""", "IamKey:PolicyFile: the policy document '{1}' must be a JSON object, {{\"Policies\": [...], \"Exemptions\": [...]}}, not array.")]
    public void PolicyDocument_ShouldBeReadAsStrictlyAsTheSettings(string json, string expected)
    {
        var errors = ProblemsOfDocument(json, out var path);

        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, $"IamKey:PolicyFile ({path})", path), errors);
    }

    [Fact]
    public void MalformedPolicyDocument_ShouldBeReportedWithItsLineAndColumn()
    {
        var errors = ProblemsOfDocument("{\n  \"Policies\": [\n    { \"Name\": \"ci\", \"UserName\": \"ci-*\" }\n    { \"Name\": \"x\" }\n  ]\n}\n", out var path);

        Assert.Equal([$"IamKey:PolicyFile: the policy document '{path}' is not valid JSON: '{{' is invalid after a value. Expected either ',', '}}', or ']' at line 4, column 5."], errors);
    }

    [Fact]
    public void PolicyDocument_ShouldAcceptWhatTheJsonSettingsFilesAccept_CommentsTrailingCommasAndAByteOrderMark()
    {
        var path = Path.Combine(Path.GetTempPath(), $"iamkey-policies-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            // thresholds of the CI users
            { "Policies": [ { "Name": "ci", "UserName": "ci-*", "RotationDays": 7, }, ], }
            """, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            var policies = KeyPolicyCompiler.Compile(new KeyPolicyOptions { PolicyFile = path }, new FindingsOptions(), Now);

            Assert.Equal(("ci", 7), (policies.Ordered.Single().Name, policies.Ordered.Single().RotationDays));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("Root/Workloads/", "it ends with '/' (a path already covers the OUs below it; write it without the '/')")]
    [InlineData("/Root/Workloads", "it has an empty name at position 1 ('/' at the start, or '//')")]
    [InlineData("Root//Workloads", "it has an empty name at position 6 ('/' at the start, or '//')")]
    [InlineData("Root/Prod\\", "the '\\' at position 10 escapes neither '/' nor '\\' (inside a name, write '/' as '\\/' and '\\' as '\\\\')")]
    public void OrganizationalUnitPath_ShouldBeAWellFormedPath(string path, string reason)
    {
        var errors = ProblemsOf(new KeyPolicyOptions { Policies = [new() { Name = "p", OrganizationalUnitPath = path }] });

        Assert.Equal([$"IamKey:Policies:0 (p): OrganizationalUnitPath '{path}' is not an OU path such as Root/Workloads: {reason}."], errors);
    }

    private static IReadOnlyList<string> ProblemsOfDocument(string json, out string path)
    {
        path = Path.Combine(Path.GetTempPath(), $"iamkey-policies-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            return ProblemsOf(new KeyPolicyOptions { PolicyFile = path });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
