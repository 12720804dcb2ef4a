namespace IamKeyFunc.Tests.Cli;

/// <summary><c>iamkeys emulator</c> owns the emulator's options (the emulator library only takes its settings record).</summary>
public sealed class EmulatorCommandTests
{
    [Theory]
    [InlineData("--no-such-option", "--no-such-option")]
    [InlineData("--port -1", "--port needs a non-negative whole number")]
    [InlineData("--accounts many", "many")]
    [InlineData("--app-id not-a-guid", "not-a-guid")]
    public async Task Emulator_ShouldRefuseABadOptionInOneLineWithExit1_BeforeStarting(string arguments, string expected)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(["emulator", .. arguments.Split(' ')]);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmulatorHelp_ShouldListEveryOption()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync("emulator", "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--port", "--scenario", "--accounts", "--users", "--seed", "--save-scenario", "--tenant-id", "--app-id", "--subject", "--latency-ms", "--rate", "--report-delay-seconds" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }
}
