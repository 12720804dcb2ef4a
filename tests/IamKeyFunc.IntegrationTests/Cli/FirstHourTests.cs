using System.Text.Json;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Tests.Cli;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary>What a new user meets in the first hour with <c>iamkeys</c> against the emulator (issue 19), on the real process.</summary>
public sealed class FirstHourTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();
    private AwsEmulatorServer _emulator = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        _emulator = await AwsEmulatorServer.StartAsync(scenario);
        _settings = EmulatorSettings(_emulator);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task DemoToStandardOutput_ShouldWriteOnlyRecordsThere_AndTheTablesToStandardError()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync("demo", "--output", "-");

        Assert.True(exitCode == 0, stderr);
        var lines = CliProcess.Lines(stdout);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        Assert.Contains(lines, l => l.Contains("\"table\":\"AwsAccessKeyEvents\"", StringComparison.Ordinal));
        Assert.Contains("Access keys with findings", stderr, StringComparison.Ordinal);
        Assert.Contains("(two passes) to standard output.", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "-")), "demo wrote a file named '-'");
    }

    [Fact]
    public async Task Collect_ShouldFailAtOnceNamingTheSink_WhenItIsLeftAtTheDefaultAgainstTheEmulator()
    {
        // Arrange: the emulator's settings and test token, and the sample settings' Data Collector (the default sink)
        _settings["IamKey:DataCollector:WorkspaceId"] = "11111111-2222-3333-4444-555555555555";
        _settings["IamKey:DataCollector:KeyVaultUri"] = "https://kv-iamkeys.vault.azure.net/";
        var config = CliRunner.WriteConfig(_directory.Path, _settings);

        // Act
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync("collect", "--config", config, "--state-dir", Path.Combine(_directory.Path, "state"));

        // Assert: one line naming the setting, before any AWS call, and no log lines
        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(CliProcess.Lines(stderr));
        Assert.StartsWith("error: IamKey:Delivery:Sink is DataCollector (the default), which needs an Azure identity", line, StringComparison.Ordinal);
        Assert.Contains("IamKey:Delivery:Sink=None", line, StringComparison.Ordinal);
        Assert.Equal(0, _emulator.Stats.Calls("AssumeRoleWithWebIdentity"));
        Assert.Equal(0, _emulator.Stats.Calls("ListUsers"));
    }

    [Fact]
    public async Task Collect_ShouldPrintTheRiskiestFindings_UpToTheLimit_AndNoLogLines()
    {
        var config = CliRunner.WriteConfig(_directory.Path, _settings);

        var (exitCode, _, stderr) = await CliProcess.RunAsync("collect", "--config", config, "--output", Path.Combine(_directory.Path, "r.jsonl"), "--findings", "2", "--state-dir", Path.Combine(_directory.Path, "state"));

        Assert.True(exitCode == 2, stderr); // the legacy account denies the central role
        var lines = CliProcess.Lines(stderr);
        Assert.Contains(lines, l => l.Contains("Access keys with findings (the 2 riskiest of 8 with findings, of 10)", StringComparison.Ordinal));
        var rows = lines.Where(l => l.StartsWith("│ ", StringComparison.Ordinal) && !l.StartsWith("│ Risk", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("<root_account>", rows[0], StringComparison.Ordinal); // an active root key is the riskiest
        Assert.Contains(lines, l => l.StartsWith("Keys: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("; 10 key records (10 delivered), 0 change events, 4 run summaries (4 delivered).", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("info:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Collect_ShouldKeepEachEmulatorsSnapshotsApart_WithoutAStateDir()
    {
        // Arrange: two emulators of the same sample organization (same account IDs), and a fresh per-user data folder
        await using var second = await AwsEmulatorServer.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow().AddDays(-3)));
        var data = Path.Combine(_directory.Path, "xdg-data");
        var environment = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = data, ["LOCALAPPDATA"] = data };
        var firstOutput = Path.Combine(_directory.Path, "first.jsonl");
        var secondOutput = Path.Combine(_directory.Path, "second.jsonl");

        // Act: a run against each
        var (firstExit, _, firstError) = await CliProcess.RunAsync(environment, "collect", "--config", CliRunner.WriteConfig(_directory.Path, _settings), "--output", firstOutput);
        var (secondExit, _, secondError) = await CliProcess.RunAsync(environment, "collect", "--config", CliRunner.WriteConfig(_directory.Path, EmulatorSettings(second)), "--output", secondOutput);

        // Assert: each is a first run (a baseline, no change events), in a folder of its own
        Assert.True(firstExit == 2, firstError);
        Assert.True(secondExit == 2, secondError);
        Assert.DoesNotContain("\"table\":\"AwsAccessKeyEvents\"", await File.ReadAllTextAsync(secondOutput), StringComparison.Ordinal);
        var endpoints = Directory.GetDirectories(Path.Combine(data, "iamkeys", "state", "endpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { _emulator.Endpoint, second.Endpoint }.Select(e => $"127.0.0.1-{e.Port}").Order(StringComparer.Ordinal), endpoints);
    }

    private static Dictionary<string, string?> EmulatorSettings(AwsEmulatorServer emulator)
    {
        var settings = DemoCommand.Settings(emulator);
        settings.Remove("IamKey:Delivery:Sink"); // left at its default, as a user who pasted the emulator's settings has it
        settings["IamKey:Identity:DevelopmentToken"] = TestJwt.ForScenario(emulator.Scenario, TimeProvider.System.GetUtcNow().AddHours(1));
        return settings;
    }
}
