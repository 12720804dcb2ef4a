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
    public async Task ValidateConfig_ShouldRefuseAConfigFileThatDoesNotExist()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("validate-config", "--config", Path.Combine(_directory.Path, "missing.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("missing.json", error, StringComparison.Ordinal);
    }
}
