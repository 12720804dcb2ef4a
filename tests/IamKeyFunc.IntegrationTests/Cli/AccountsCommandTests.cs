using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Tests.Cli;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary><c>iamkeys accounts</c> against the sample organization: discovery's findings and each filter decision, no IAM call.</summary>
public sealed class AccountsCommandTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();
    private AwsEmulatorServer _emulator = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        _emulator = await AwsEmulatorServer.StartAsync(scenario);
        _settings = DemoCommand.Settings(_emulator, discover: true);
        _settings["IamKey:Identity:DevelopmentToken"] = TestJwt.ForScenario(scenario, TimeProvider.System.GetUtcNow().AddHours(1));
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Accounts_ShouldListEveryDiscoveredAccountWithItsDecision_WithoutCallingIam()
    {
        // Arrange
        _settings["IamKey:Aws:Discovery:ExcludeOrganizationalUnits"] = "ou-ex01-sandbox1";
        var config = CliRunner.WriteConfig(_directory.Path, _settings);

        // Act
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("accounts", "--config", config);

        // Assert
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Organization o-example0001: 5 accounts discovered, 3 included, 2 excluded", stdout, StringComparison.Ordinal);
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("888899990000", StringComparison.Ordinal) && l.Contains("SUSPENDED", StringComparison.Ordinal) && l.Contains("excluded", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("555566667777", StringComparison.Ordinal) && l.Contains("Root/Sandbox", StringComparison.Ordinal) && l.Contains("excluded", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("444455556666", StringComparison.Ordinal) && l.Contains("Root/Workloads/Prod", StringComparison.Ordinal) && l.Contains("included", StringComparison.Ordinal));
        Assert.Equal(0, _emulator.Stats.Calls("ListUsers"));
    }

    [Fact]
    public async Task Accounts_ShouldFailInOneLineWithTheCode_WhenDiscoveryIsDenied()
    {
        // Arrange: a member account's role may not read the organization
        _settings["IamKey:Aws:Discovery:RoleArn"] = "arn:aws:iam::444455556666:role/IamKeyFuncMember";
        var config = CliRunner.WriteConfig(_directory.Path, _settings);

        // Act
        var (exitCode, _, stderr) = await CliRunner.RunAsync("accounts", "--config", config);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("AWS Organizations discovery with arn:aws:iam::444455556666:role/IamKeyFuncMember failed: AccessDeniedException", stderr, StringComparison.Ordinal);
    }
}
