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
        settings["IamKey:Policies:0:Profile"] = "Cis";
        settings["IamKey:Policies:1:Name"] = "services";
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
    public async Task ValidateConfig_ShouldListThePoliciesInOrderAndCountTheExemptions_WhenTheyAreValid()
    {
        var settings = WithoutPolicyPlaceholders();
        settings["IamKey:Policies:0:Name"] = "ci";
        settings["IamKey:Policies:0:UserName"] = "ci-*";
        settings["IamKey:Policies:0:RotationDays"] = "30";
        settings["IamKey:Policies:1:Name"] = "prod-cis";
        settings["IamKey:Policies:1:Profile"] = "CisAwsV7";
        settings["IamKey:Exemptions:0:AccountId"] = "444455556666";
        settings["IamKey:Exemptions:0:Reason"] = "Migration";
        settings["IamKey:Exemptions:0:Reference"] = "CHG-1";
        settings["IamKey:Exemptions:0:Expires"] = DateTimeOffset.UtcNow.AddDays(30).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, _) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(0, exitCode);
        Assert.Contains("ci (rotate 30 d, unused 90 d), prod-cis (CisAwsV7, rotate 90 d, unused 45 d), then Default; 1 exemption", output.ReplaceLineEndings(" "), StringComparison.Ordinal);
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
