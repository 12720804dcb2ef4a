using System.Diagnostics;
using System.Text.Json;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Tests.Cli;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary><c>iamkeys collect --state-dir</c> against the loopback emulator when the change history cannot be kept.</summary>
public sealed class StateDirectoryCollectTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();
    private AwsEmulatorServer _emulator = null!;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        _emulator = await AwsEmulatorServer.StartAsync(scenario);
        var settings = DemoCommand.Settings(_emulator);
        settings["IamKey:Identity:DevelopmentToken"] = TestJwt.ForScenario(scenario, TimeProvider.System.GetUtcNow().AddHours(1));
        _config = CliRunner.WriteConfig(_directory.Path, settings);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("under-a-file")]
    [InlineData("/proc/iamkeys-state")]
    public async Task Collect_ShouldWarnOnTheConsoleAndEveryRow_AndExit3_WhenNoSnapshotCanBeWritten(string stateDir)
    {
        if (stateDir.StartsWith("/proc", StringComparison.Ordinal) && !OperatingSystem.IsLinux())
        {
            return;
        }

        // Arrange
        if (stateDir == "under-a-file")
        {
            var blocker = Path.Combine(_directory.Path, "blocker");
            await File.WriteAllTextAsync(blocker, "not a folder");
            stateDir = Path.Combine(blocker, "state");
        }

        var output = Path.Combine(_directory.Path, $"report-{Guid.NewGuid():N}.jsonl");

        // Act
        var watch = Stopwatch.StartNew();
        var (exitCode, _, error) = await CliRunner.RunAsync("collect", "--config", _config, "--output", output, "--state-dir", stateDir).WaitAsync(TimeSpan.FromMinutes(2));

        // Assert
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"took {watch.Elapsed}");
        Assert.True(exitCode == 3, $"exit code {exitCode}: {error}");
        Assert.Contains("Warning: 3 of 3 account snapshots could not be written", error, StringComparison.Ordinal);
        Assert.Contains(stateDir, error, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var summaries = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary")
            .Select(l => $"{l.GetProperty("AccountId").GetString()}|{l.GetProperty("Status").GetString()}|{l.GetProperty("ErrorCode").GetString()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                $"111122223333|Succeeded|{KeyHistory.NotSavedCode}",
                $"444455556666|Succeeded|{KeyHistory.NotSavedCode}",
                $"555566667777|Succeeded|{KeyHistory.NotSavedCode}",
                "777788889999|Failed|AccessDenied",
            ],
            summaries);
        Assert.Equal(
            _emulator.Scenario.Accounts.Where(a => a.AccountId is "111122223333" or "444455556666" or "555566667777").Sum(a => _emulator.Scenario.ExpectedKeys(a.AccountId).Count),
            lines.Count(l => l.GetProperty("table").GetString() == "AwsAccessKeyReport"));
    }

    [Fact]
    public async Task Collect_ShouldExit2AsBefore_WhenTheSnapshotsAreWritten()
    {
        var output = Path.Combine(_directory.Path, "report.jsonl");
        var state = Path.Combine(_directory.Path, "state");

        var (exitCode, _, error) = await CliRunner.RunAsync("collect", "--config", _config, "--output", output, "--state-dir", state).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 2, $"exit code {exitCode}: {error}"); // PartiallySucceeded: the legacy account denies the central role
        Assert.DoesNotContain("snapshots could not be written", error, StringComparison.Ordinal);
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(state, "aws"), "*.json").Count());
    }
}
