using System.CommandLine;
using System.Text.Json;
using IamKeyFunc.Cli;
using IamKeyFunc.Tests.Cli;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary>
/// The README's local-debugging path with no cloud account: <c>iamkeys emulator</c> prints the settings and a test token,
/// and the same settings drive <c>iamkeys collect</c> (as they drive <c>func start</c>) through
/// <c>IamKey:Identity:DevelopmentToken</c>.
/// </summary>
public sealed class LocalDebuggingTests : IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Collect_ShouldInventoryTheStandaloneEmulator_WithTheSettingsItPrints()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var emulatorOutput = new NotifyingWriter("Press Ctrl+C to stop.");
        var emulator = IamKeysCommand.Create().Parse(["emulator", "--port", "0"])
            .InvokeAsync(new InvocationConfiguration { Output = emulatorOutput, Error = emulatorOutput }, stop.Token);
        await emulatorOutput.Seen.WaitAsync(stop.Token);
        var settings = PrintedSettings(emulatorOutput.ToString());
        var config = CliRunner.WriteConfig(_directory.Path, settings);
        var report = Path.Combine(_directory.Path, "report.jsonl");

        var state = Path.Combine(_directory.Path, "state");

        var (exitCode, _, error) = await CliRunner.RunAsync("collect", "--config", config, "--output", report, "--mode", "report", "--state-dir", state);

        await stop.CancelAsync();
        Assert.Equal(0, await emulator);
        Assert.True(exitCode == 2, error); // PartiallySucceeded: the sample's legacy account denies the central role
        Assert.Contains("ok      444455556666 (example-prod)  report", error, StringComparison.Ordinal);
        Assert.Contains("failed  777788889999", error, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(report)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(lines, l => l.GetProperty("table").GetString() == "AwsAccessKeyReport" && l.GetProperty("DataSource").GetString() == "report");
        Assert.Equal(4, lines.Count(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary"));
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(state, "aws"), "*.json").Count()); // the baseline of each collected account
    }

    [Fact]
    public async Task Accounts_ShouldDiscoverTheOrganization_WithTheDiscoverySettingsItPrints()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var emulatorOutput = new NotifyingWriter("Press Ctrl+C to stop.");
        var emulator = IamKeysCommand.Create().Parse(["emulator", "--port", "0"])
            .InvokeAsync(new InvocationConfiguration { Output = emulatorOutput, Error = emulatorOutput }, stop.Token);
        await emulatorOutput.Seen.WaitAsync(stop.Token);
        var printed = emulatorOutput.ToString();
        var settings = PrintedSettings(printed, discovery: true);
        settings["IamKey:Delivery:Sink"] = "None"; // as the emulator's preamble says
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("accounts", "--config", config);

        await stop.CancelAsync();
        Assert.Equal(0, await emulator);
        Assert.True(exitCode == 0, error);
        Assert.Equal("Organizations", settings["IamKey:Aws:Discovery:Source"]);
        Assert.Contains("AWS emulator (STS, IAM, Organizations) listening on", printed, StringComparison.Ordinal);
        Assert.Contains("Organization o-example0001: 5 accounts discovered, 4 included, 1 excluded", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The <c>IamKey__…=value</c> lines and the test token, as a developer would paste them into local.settings.json:
    /// the listed accounts, or with <paramref name="discovery"/> also the lines that turn on AWS Organizations discovery.
    /// </summary>
    private static Dictionary<string, string?> PrintedSettings(string printed, bool discovery = false)
    {
        var lines = printed.Split('\n', StringSplitOptions.TrimEntries);
        var alternative = Array.FindIndex(lines, l => l.StartsWith("Or find the accounts through AWS Organizations", StringComparison.Ordinal));
        Assert.True(alternative > 0, printed);
        var settings = lines
            .Where((l, i) => discovery || i < alternative)
            .Where(l => l.StartsWith("IamKey__", StringComparison.Ordinal) && !l.Contains('<', StringComparison.Ordinal) && !l.Contains(' ', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Replace("__", ":", StringComparison.Ordinal), p => (string?)p[1]);
        var token = lines[Array.FindIndex(lines, l => l.StartsWith("Test token", StringComparison.Ordinal)) + 1];
        settings["IamKey:Identity:DevelopmentToken"] = token;
        Assert.Contains("IamKey:Aws:RoleArn", settings.Keys);
        Assert.Contains("IamKey:Aws:StsEndpoint", settings.Keys);
        Assert.Equal(3, token.Split('.').Length);
        return settings;
    }

    /// <summary>A thread-safe <see cref="StringWriter"/> that signals once a marker line has been written.</summary>
    private sealed class NotifyingWriter(string marker) : StringWriter
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public override void Write(char value)
        {
            lock (this)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (this)
            {
                base.Write(value);
                if (value?.Contains(marker, StringComparison.Ordinal) == true)
                {
                    _seen.TrySetResult();
                }
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            Write(value + NewLine);
            return Task.CompletedTask;
        }

        public override string ToString()
        {
            lock (this)
            {
                return base.ToString();
            }
        }
    }
}
