using IamKeyFunc.AwsEmulator.Hosting;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Tests.Cli;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary>
/// <c>iamkeys collect</c> against the loopback emulator when the run is interrupted, when two runs share an output
/// file, and when an account fails with a long message: the polite-host rules of issue 9.
/// </summary>
public sealed class PoliteCollectTests : IAsyncLifetime, IDisposable
{
    private const string Prod = "444455556666";
    private readonly CliRunner.TempDirectory _directory = new();
    private readonly AnsweredCalls _answered = new();
    private AwsEmulatorServer _emulator = null!;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        _emulator = await AwsEmulatorServer.StartAsync(scenario, new EmulatorOptions { Logger = _answered });
        var settings = DemoCommand.Settings(_emulator);
        settings["IamKey:Identity:DevelopmentToken"] = TestJwt.ForScenario(scenario, TimeProvider.System.GetUtcNow().AddHours(1));
        _config = CliRunner.WriteConfig(_directory.Path, settings);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Sigterm_ShouldCancelTheRunWithExitCode130_AndLeaveOnlyWholeLines()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send; CI runs on Linux
        }

        var output = Path.Combine(_directory.Path, "report.jsonl");
        var (first, _, firstError) = await CliRunner.RunAsync("collect", "--config", _config, "--output", output);
        Assert.True(first == 2, firstError); // the sample's legacy account denies the central role
        var before = await File.ReadAllLinesAsync(output);
        _emulator.Options.Latency = TimeSpan.FromSeconds(1);
        _answered.Reset();

        using var child = CliProcess.Start("collect", "--config", _config, "--output", output);
        var exited = CliProcess.WaitAsync(child);
        await _answered.First.WaitAsync(TimeSpan.FromMinutes(1)); // the child is federated and reading accounts
        await SigtermAsync(child.Id);
        var (exitCode, stdout, stderr) = await exited;

        Assert.True(exitCode == 130, $"exit code {exitCode}: {stderr}");
        Assert.Contains("collect cancelled", stderr, StringComparison.Ordinal);
        CliProcess.AssertNoStackTrace(stdout + stderr);
        var after = await File.ReadAllTextAsync(output);
        Assert.EndsWith("\n", after, StringComparison.Ordinal);
        var lines = CliProcess.Lines(after);
        Assert.Equal(before, lines.Take(before.Length));
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public async Task SecondRunOnTheSameOutput_ShouldBeRefusedAtOnce_AndTheFirstKeepsAllItsLines()
    {
        var output = Path.Combine(_directory.Path, "report.jsonl");
        _emulator.Options.Latency = TimeSpan.FromSeconds(2); // keeps the first run busy while the second one starts
        var first = CliRunner.RunAsync("collect", "--config", _config, "--output", output);
        await _answered.First.WaitAsync(TimeSpan.FromMinutes(1)); // the first run has opened the file and is collecting

        var (secondExit, _, secondError) = await CliProcess.RunAsync("collect", "--config", _config, "--output", output);
        _emulator.Options.Latency = TimeSpan.Zero;
        var (firstExit, _, firstError) = await first;

        Assert.True(secondExit == 1, $"{secondError}\n--- first run ({firstExit}):\n{firstError}");
        var line = Assert.Single(CliProcess.Lines(secondError));
        Assert.Contains(output, line, StringComparison.Ordinal);
        Assert.Contains("cannot be written", line, StringComparison.Ordinal);
        CliProcess.AssertNoStackTrace(secondError);
        Assert.True(firstExit == 2, firstError);
        var records = CliProcess.Lines(await File.ReadAllTextAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var scenario = _emulator.Scenario;
        var reachable = scenario.Accounts.Where(a => a.AccountId != "777788889999");
        Assert.Equal(reachable.Sum(a => scenario.ExpectedKeys(a.AccountId).Count), records.Count(r => r.GetProperty("table").GetString() == "AwsAccessKeyReport"));
        Assert.Equal(scenario.Accounts.Count(a => a.State == EmulatorOrganization.ActiveState), records.Count(r => r.GetProperty("table").GetString() == "AwsAccessKeyRunSummary"));
    }

    [Fact]
    public async Task FailedAccount_ShouldShowItsAliasAndKeepTheEndOfALongMessage_OnOneUnwrappedLine()
    {
        const string advice = "Grant iam:ListUsers to the member role named by IamKey:Aws:MemberRoleName.";
        var message = $"User is not authorized to perform iam:ListUsers {string.Concat(Enumerable.Repeat("on resource arn:aws:iam::444455556666:user/ ", 30))}{advice}";
        _emulator.Options.Latency = TimeSpan.FromMilliseconds(50);
        _emulator.Options.Faults.FailNext("ListUsers", 10, "AccessDenied", 403, message, accountId: Prod);

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync("collect", "--config", _config, "--account", Prod, "--output", Path.Combine(_directory.Path, "r.jsonl"));

        Assert.True(exitCode == 1, stderr);
        var failed = Assert.Single(CliProcess.Lines(stderr), l => l.StartsWith("failed", StringComparison.Ordinal));
        Assert.StartsWith($"failed  {Prod} (example-prod)  AccessDenied: ", failed, StringComparison.Ordinal);
        Assert.Contains(" \u2026 ", failed, StringComparison.Ordinal); // the middle is cut, not the advice at the end
        Assert.Contains(advice, failed, StringComparison.Ordinal);
        Assert.True(failed.Length > 160, failed); // longer than the old wrap width, still one line
        CliProcess.AssertNoStackTrace(stdout + stderr);
    }

    /// <summary>What a scheduler or <c>kill</c> sends: a real SIGTERM to the process.</summary>
    private static async Task SigtermAsync(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The emulator's per-call log line, used as a signal that a client is in the middle of a run.</summary>
    private sealed class AnsweredCalls : ILogger
    {
        private TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task First => Volatile.Read(ref _first).Task;

        public void Reset() => Volatile.Write(ref _first, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Volatile.Read(ref _first).TrySetResult();
    }
}
