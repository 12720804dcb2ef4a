using IamKeyFunc.Tests.Functions;

namespace IamKeyFunc.Tests.Cli;

public sealed class ValidateConfigCommandTests : IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ValidateConfig_ShouldSayOkAndSummariseTheTargets_WhenTheSettingsAreValid()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Aws:MemberAccountIds"] = "444455556666,777788889999";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Contains("configuration OK", output, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::111122223333:role/IamKeyFuncReader", output, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::444455556666:role/IamKeyFuncMember", output, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::777788889999:role/IamKeyFuncMember", output, StringComparison.Ordinal);
        Assert.Contains("Data Collector API, workspace 5e1a1f0e-3b7d-4c5e-8f2a-9c4d6b7e8f90", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ShouldListEveryProblemNamingItsSettingAndExit1_WhenTheSettingsAreBad()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Aws:RoleArn"] = "arn:aws:iam::123:role/Reader";
        settings["IamKey:DataCollector:WorkspaceId"] = "my-workspace";
        settings["IamKey:Findings:RotationDays"] = "0";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("Configuration is invalid", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Aws:RoleArn", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:DataCollector:WorkspaceId", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Findings:RotationDays", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ShouldListBindingErrorsWithTheAllowedValues_BesideTheProblemsOfOtherSections()
    {
        // One value that does not convert used to throw and hide every other problem.
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Collection:KeyIdFormat"] = "Bogus";
        settings["IamKey:Delivery:Sink"] = "Wat";
        settings["IamKey:Collection:RequestTimeout"] = "soon";
        settings["IamKey:Aws:RoleArn"] = "arn:aws:iam::123:role/Reader";
        settings["IamKey:Aws:StsEndpoint"] = "http://sts.example.com/";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, _, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("(5 problems)", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Collection:KeyIdFormat is 'Bogus': expected one of Masked, Full, Sha256.", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Delivery:Sink is 'Wat': expected one of DataCollector, LogsIngestion, None.", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Collection:RequestTimeout is 'soon': expected a duration", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Aws:RoleArn must look like", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Aws:StsEndpoint 'http://sts.example.com' uses plain http", error, StringComparison.Ordinal);
        Assert.DoesNotContain("DataAnnotation validation failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ShouldNameThePolicyAndTheField_ForEveryBadPolicy_InTheSettingsAndThePolicyDocument()
    {
        var document = Path.Combine(_directory.Path, "policies.json");
        await File.WriteAllTextAsync(document, """{"Policies": [{"Name": "humans", "UserName": "[a-"}]}""");
        var settings = WithoutPolicyPlaceholders();
        settings["IamKey:Policies:0:Name"] = "ci";
        settings["IamKey:Policies:0:UserName"] = "ci-*";
        settings["IamKey:Policies:0:Profile"] = "Cis";
        settings["IamKey:Policies:1:Name"] = "services";
        settings["IamKey:Policies:1:UserPath"] = "/service/";
        settings["IamKey:Policies:1:RotationDays"] = "-1";
        settings["IamKey:Policies:2:Name"] = "tagged";
        settings["IamKey:Policies:2:UserTags"] = "=prod";
        settings["IamKey:PolicyFile"] = document;
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, _, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("IamKey:Policies:0 (ci): Profile 'Cis' is unknown", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Policies:1 (services): RotationDays must be between 1 and 3650 (was -1)", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Policies:2 (tagged): UserTags has '=prod', a tag match with no key", error, StringComparison.Ordinal);
        Assert.Contains("Policies[0] (humans): UserName '[a-' is not a valid glob", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:PolicyFile", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ShouldShowEachPolicysMatchAndThresholdsInOrder_AndEachExemptionsMatch()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        var settings = WithoutPolicyPlaceholders();
        settings["IamKey:Policies:0:Name"] = "ci";
        settings["IamKey:Policies:0:UserName"] = "ci-*";
        settings["IamKey:Policies:0:RotationDays"] = "30";
        settings["IamKey:Policies:1:Name"] = "prod-cis";
        settings["IamKey:Policies:1:Profile"] = "CisAwsV7";
        settings["IamKey:Policies:1:AccountIds"] = "444455556666";
        settings["IamKey:Policies:1:OrganizationalUnitPath"] = "Root/Prod\\/Payments";
        settings["IamKey:Policies:1:WarnBeforeDays"] = "14,7,1";
        settings["IamKey:Exemptions:0:AccountId"] = "444455556666";
        settings["IamKey:Exemptions:0:Reason"] = "Migration";
        settings["IamKey:Exemptions:0:Reference"] = "CHG-1";
        settings["IamKey:Exemptions:0:Expires"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.True(exitCode == 0, error);
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        var policies = lines.SkipWhile(l => !l.StartsWith("Key policies", StringComparison.Ordinal)).TakeWhile(l => l.Length > 0).ToList();
        Assert.Equal(
            [
                "Key policies  2, tried in order; the first that matches a key applies",
                "  1. ci, for UserName ci-*: rotate 30 d, unused 90 d, never-used grace 7 d, warn 14 d ahead",
                "  2. prod-cis, for AccountIds 444455556666 and OrganizationalUnitPath Root/Prod\\/Payments: CisAwsV7: rotate 90 d, unused 45 d, never-used grace 7 d, warn 14,7,1 d ahead",
                "  then Default, for every other key: rotate 90 d, unused 90 d, never-used grace 7 d, warn 14 d ahead",
                "Exemptions    1",
                $"  CHG-1, for AccountId 444455556666: until {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC (Migration; CHG-1)",
            ],
            policies);
    }

    [Fact]
    public async Task ValidateConfig_ShouldSayThatEveryKeyGetsTheDefault_WhenThereIsNoPolicy_WithoutStrayBlanks()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.True(exitCode == 0, error);
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains("Key policies  none: every key gets Default (rotate 90 d, unused 90 d, never-used grace 7 d, warn 14 d ahead)", lines);
        Assert.Contains("Exemptions    none", lines);
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
    }

    [Fact]
    public async Task ValidateConfig_ShouldFailNamingAMistypedPolicyField_AndTheFieldItMeant_InTheSettingsAndInThePolicyDocument()
    {
        // The case: the mistyped UserName used to make "ci" a 7-day policy for every key, and "configuration OK".
        var document = Path.Combine(_directory.Path, "policies.json");
        await File.WriteAllTextAsync(document, """{"Policies": [{"Name": "ci", "UserNmae": "ci-*", "RotationDays": 7}]}""");
        var settings = WithoutPolicyPlaceholders();
        settings["IamKey:Policies:0:Name"] = "humans";
        settings["IamKey:Policies:0:UserPth"] = "/humans/";
        settings["IamKey:PolicyFile"] = document;
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.DoesNotContain("configuration OK", error, StringComparison.Ordinal);
        Assert.Contains("IamKey:Policies:0:UserPth is not a known setting; did you mean UserPath?", error, StringComparison.Ordinal);
        Assert.Contains($"IamKey:PolicyFile ({document}) Policies[0].UserNmae is not a known field; did you mean UserName?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ShouldCheckAndShowThousandsOfPolicies_InSecondsNotMinutes()
    {
        // 5,000 policies in the settings and 5,000 in a document took minutes of CPU (a table cell of every policy, and
        // a settings listing per policy); the bound is generous, the point is that it is not quadratic.
        var settings = WithoutPolicyPlaceholders();
        for (var i = 0; i < 5000; i++)
        {
            settings[$"IamKey:Policies:{i}:Name"] = $"settings-{i}";
            settings[$"IamKey:Policies:{i}:UserName"] = $"user-{i}-*";
            settings[$"IamKey:Policies:{i}:RotationDays"] = $"{30 + (i % 100)}";
        }

        var document = Path.Combine(_directory.Path, "policies.json");
        var entries = Enumerable.Range(0, 5000).Select(i => $$"""{"Name": "file-{{i}}", "UserPath": "/team{{i}}/", "UnusedDays": 45}""");
        await File.WriteAllTextAsync(document, $$"""{"Policies": [{{string.Join(",\n", entries)}}]}""");
        settings["IamKey:PolicyFile"] = document;
        var config = CliRunner.WriteConfig(_directory.Path, settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        clock.Stop();
        Assert.True(exitCode == 0, error);
        Assert.Equal(10_000, output.Split('\n').Count(l => l.StartsWith("  ", StringComparison.Ordinal) && l.Contains(". ", StringComparison.Ordinal) && l.Contains(", for ", StringComparison.Ordinal)));
        Assert.Contains("  10000. file-4999, for UserPath /team4999/: rotate 90 d, unused 45 d, never-used grace 7 d, warn 14 d ahead", output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"validate-config took {clock.Elapsed}");
    }

    [Fact]
    public async Task ValidateConfig_ShouldStopAtOnceOnSigterm_WithExitCode130_EvenWhileASettingsFileIsStillBeingRead()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM nor named pipe; CI runs on Linux
        }

        // A settings file that never ends (a named pipe the test holds open): only the signal can end the command.
        var fifo = Path.Combine(_directory.Path, "settings.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using var child = CliProcess.Start("validate-config", "--config", fifo);
        var exited = CliProcess.WaitAsync(child);
        var opened = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write)); // returns once the child reads it
        await using var writer = await opened.WaitAsync(TimeSpan.FromMinutes(1));
        await writer.WriteAsync("{\"IamKey\": {"u8.ToArray());
        await writer.FlushAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var (exitCode, output, error) = await exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 130, $"exit code {exitCode}: {error}");
        Assert.Contains("validate-config cancelled", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"validate-config took {clock.Elapsed} to stop");
        CliProcess.AssertNoStackTrace(error);
    }

    /// <summary>The sample's empty <c>IamKey__Policies</c> and <c>IamKey__Exemptions</c> placeholders stand where the lists go.</summary>
    private static Dictionary<string, string?> WithoutPolicyPlaceholders()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings.Remove("IamKey:Policies");
        settings.Remove("IamKey:Exemptions");
        return settings;
    }

    [Fact]
    public async Task ValidateConfig_ShouldRefuseAConfigFileThatDoesNotExist()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("validate-config", "--config", Path.Combine(_directory.Path, "missing.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("missing.json", error, StringComparison.Ordinal);
    }
}
