using System.Diagnostics;
using System.Text.Json.Nodes;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>The README's <c>func start</c> steps, as <c>scripts/func-start.sh</c> runs them: Azurite, the AWS emulator, local.settings.json from the sample, the host.</summary>
[Collection(FunctionsHostCollection.Name)] // one host at a time: each start takes both cores for seconds
public sealed class FuncStartScriptTests
{
    /// <summary>What a person reads from the start to the first refresh in the default (InProcess) mode: the start, the run, its problems.</summary>
    private const int MaxLogLines = 200;

    [HostFact]
    public async Task Script_WithTheEmulator_ShouldServeADryRunRefreshOfTheSampleOrganization()
    {
        var state = Directory.CreateTempSubdirectory("iamkeyfunc-func-start-").FullName;
        await using var host = await FunctionsHostProcess.StartAsync([], new Dictionary<string, string?>(), state);
        await host.WaitUntilStartedAsync();
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/report/refresh?dryRun=true");
        request.Headers.Add("x-functions-key", host.FunctionKey);

        using var response = await http.SendAsync(request);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("PartiallySucceeded", body["status"]!.GetValue<string>()); // the sample's legacy account denies the central role
        Assert.Equal(4, body["accounts"]!.AsArray().Count);
        Assert.NotEmpty(body["records"]!.AsArray());
        Assert.Contains("func-start: emulator pid", host.Output, StringComparison.Ordinal);
    }

    [HostFact]
    public async Task PrintedCurl_ShouldWorkTheFirstTime_AndTheLogToTheFirstRefreshShouldBeShort()
    {
        // Arrange: a first start, with no key file yet (the host writes one only on a request that carries a key)
        var state = Directory.CreateTempSubdirectory("iamkeyfunc-func-start-").FullName;
        await using var host = await FunctionsHostProcess.StartAsync([], new Dictionary<string, string?>(), state, writeKeys: false);
        await host.WaitUntilStartedAsync();
        var curl = host.Output.Split('\n').Single(l => l.StartsWith(FunctionsHostProcess.ReadyLine, StringComparison.Ordinal))[FunctionsHostProcess.ReadyLine.Length..];

        // Act: the printed command, as a person pastes it into a shell
        var (exitCode, output) = await RunAsync("bash", "-c", $"{curl} --silent --show-error --max-time 100 --write-out '\\n%{{http_code}}'");

        // Assert: 200 with the run's summary; and the log from the start to this run's end is short
        Assert.True(exitCode == 0, output);
        var lines = output.Split('\n');
        Assert.Equal("200", lines[^1]);
        var body = JsonNode.Parse(string.Join('\n', lines[..^1]))!;
        Assert.Equal("PartiallySucceeded", body["status"]!.GetValue<string>());
        var finished = $"Refresh run {body["runId"]!.GetValue<string>()} finished";
        await host.WaitForOutputAsync(o => o.Contains(finished, StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the refresh's log line");
        var log = host.Output.Split('\n');
        var upToTheRun = Array.FindIndex(log, l => l.Contains(finished, StringComparison.Ordinal)) + 1;
        Assert.True(upToTheRun < MaxLogLines, $"{upToTheRun} log lines up to the first refresh:\n{string.Join('\n', log[..upToTheRun])}");
        Assert.DoesNotContain(log, l => l.Contains("Azure.Core", StringComparison.Ordinal) || l.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("Mapped function route 'api/report/refresh' [post] to 'RefreshReport'", StringComparison.Ordinal));
    }

    [HostFact]
    public async Task CtrlC_ShouldStopEveryProcessQuietly()
    {
        var state = Directory.CreateTempSubdirectory("iamkeyfunc-func-start-").FullName;
        await using var host = await FunctionsHostProcess.StartAsync([], new Dictionary<string, string?>(), state);
        await host.WaitUntilStartedAsync();
        var started = host.ReportedProcessIds;
        var interrupted = TimeProvider.System.GetTimestamp();

        var exitCode = await host.InterruptAsync();

        // The script and its output end together: nothing it started (the host's worker included) holds its output
        // open. Generous: it takes about a second; a worker left behind kept it open for 30 s.
        var stopping = TimeProvider.System.GetElapsedTime(interrupted);
        Assert.True(stopping < TimeSpan.FromSeconds(20), $"stopping took {stopping.TotalSeconds:F0} s");
        Assert.Equal(143, exitCode);
        Assert.Equal(3, started.Count); // Azurite, the emulator, the host
        Assert.All(started, pid => Assert.False(IsRunning(pid), $"process {pid} still runs"));
        Assert.DoesNotContain(host.Output.Split('\n'), l => l.Contains("Killed", StringComparison.Ordinal));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, (await output).TrimEnd() + await error);
    }
}
