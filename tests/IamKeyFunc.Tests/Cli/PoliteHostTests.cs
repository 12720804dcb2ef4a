using IamKeyFunc.Tests.Functions;

namespace IamKeyFunc.Tests.Cli;

/// <summary>
/// A user's mistake is one line on standard error naming the cause, exit code 1, and no stack trace unless
/// <c>--verbose</c>: checked on the real process with redirected output, so that logs and unhandled exceptions count too.
/// Nothing here reaches AWS: each case fails before the first call.
/// </summary>
public sealed class PoliteHostTests : IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("collect")]
    [InlineData("validate-config")]
    public async Task TruncatedConfigFile_ShouldBeOneLineWithTheFileLineAndColumn(string command)
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());
        await File.WriteAllTextAsync(config, "{\n  \"IamKey\": {\n    \"Aws\": {\"RoleArn\": \"arn:aws:iam::1111");

        var (exitCode, output, error) = await CliProcess.RunAsync(command, "--config", config);

        AssertOneLineError(exitCode, output, error, config, "line 3, column ");
    }

    [Fact]
    public async Task OutputThatIsADirectory_ShouldBeRefusedInOneLine()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());

        var (exitCode, output, error) = await CliProcess.RunAsync("collect", "--config", config, "--output", _directory.Path);

        AssertOneLineError(exitCode, output, error, _directory.Path, "is a directory");
    }

    [Fact]
    public async Task OutputThatCannotBeCreated_ShouldBeRefusedInOneLine()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());
        var file = Path.Combine(_directory.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "");

        var (exitCode, output, error) = await CliProcess.RunAsync("collect", "--config", config, "--output", Path.Combine(file, "out.jsonl"));

        AssertOneLineError(exitCode, output, error, file, "is a file, not a folder");
    }

    [Fact]
    public async Task GarbageDevelopmentToken_ShouldNameTheSettingInOneLine()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Identity:DevelopmentToken"] = "not-a-token";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliProcess.RunAsync("collect", "--config", config, "--output", Path.Combine(_directory.Path, "out.jsonl"));

        AssertOneLineError(exitCode, output, error, "IamKey:Identity:DevelopmentToken");
    }

    [Fact]
    public async Task UnknownAccount_ShouldBeOneLineWithoutTheParameterSuffix()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());

        var (exitCode, output, error) = await CliProcess.RunAsync("collect", "--config", config, "--account", "999999999999", "--dry-run");

        AssertOneLineError(exitCode, output, error, "999999999999", "Configured accounts: 111122223333");
    }

    [Fact]
    public async Task Verbose_ShouldAddTheStackTraceAfterTheOneLineMessage()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());
        await File.WriteAllTextAsync(config, "{");

        var (exitCode, _, error) = await CliProcess.RunAsync("validate-config", "--config", config, "--verbose");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(error.Split('\n'), line => line.StartsWith("   at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("collect")]
    [InlineData("validate-config")]
    [InlineData("accounts")]
    public async Task MissingConfigFile_ShouldNameConfigInOneErrorLine_WithoutTheHelp(string command)
    {
        var missing = Path.Combine(_directory.Path, "no-such-settings.json");

        var (exitCode, output, error) = await CliProcess.RunAsync(command, "--config", missing);

        AssertOneLineError(exitCode, output, error, $"error: --config '{missing}' does not exist");
        Assert.DoesNotContain("Usage:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("collect --no-such-option", "'--no-such-option'")]
    [InlineData("collect --mode fast", "'fast'")]
    [InlineData("collect --findings -1", "--findings needs a non-negative whole number")]
    [InlineData("no-such-command", "'no-such-command'")]
    public async Task BadCommandLine_ShouldBeOneErrorLine_WithoutTheHelp(string arguments, string expected)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(arguments.Split(' '));

        AssertOneLineError(exitCode, output, error, "error: ", expected);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidConfiguration_ShouldStartWithError_LikeEveryOtherError()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Aws:Audience"] = "https://sts.amazonaws.com";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliProcess.RunAsync("collect", "--config", config, "--dry-run");

        AssertOneLineError(exitCode, output, error, "error: Configuration is invalid: ", "IamKey:Aws:Audience");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_ShouldShowTheCommands()
    {
        var (exitCode, output, _) = await CliProcess.RunAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("collect", output, StringComparison.Ordinal);
        Assert.Contains("demo", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoHelp_ShouldNameItsDefaultOutputOnce()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync("demo", "--help");

        Assert.Equal(0, exitCode);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "iamkeys-demo\\.jsonl"));
    }

    private static void AssertOneLineError(int exitCode, string output, string error, params string[] expected)
    {
        Assert.True(exitCode == 1, $"exit code {exitCode}: {error}");
        Assert.Equal("", output);
        var line = Assert.Single(CliProcess.Lines(error));
        Assert.All(expected, e => Assert.Contains(e, line, StringComparison.Ordinal));
        Assert.DoesNotContain("(Parameter '", line, StringComparison.Ordinal);
        CliProcess.AssertNoStackTrace(error);
    }
}
