using IamKeyFunc.Tests.Functions;

namespace IamKeyFunc.Tests.Cli;

/// <summary>What <c>collect</c> refuses before calling anything (the runs themselves are in the integration tests).</summary>
public sealed class CollectCommandTests : IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("--account", "12345", "--account '12345' is not an AWS account ID (12 digits).")]
    [InlineData("--account", "111122223333,abc", "--account 'abc' is not an AWS account ID (12 digits).")]
    [InlineData("--mode", "fast", "fast")]
    public async Task Collect_ShouldExplainAndExit1_WhenAnOptionIsBad(string option, string value, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("collect", option, value, "--dry-run");

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_ShouldNameTheBadSettingAndExit1_WhenTheConfigurationIsInvalid()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Aws:Audience"] = "https://sts.amazonaws.com";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("collect", "--config", config, "--dry-run");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("IamKey:Aws:Audience", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_ShouldListTheConfiguredAccountsAndExit1_WhenAnAccountIsNotConfigured()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());

        var (exitCode, _, error) = await CliRunner.RunAsync("collect", "--config", config, "--account", "999999999999", "--dry-run");

        Assert.Equal(1, exitCode);
        Assert.Contains("999999999999", error, StringComparison.Ordinal);
        Assert.Contains("Configured accounts: 111122223333", error, StringComparison.Ordinal);
    }
}
