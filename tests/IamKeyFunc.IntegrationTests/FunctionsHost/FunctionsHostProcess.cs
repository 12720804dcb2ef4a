using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>
/// <c>scripts/func-start.sh</c> running the real Functions host (and Azurite, and with no <c>--no-emulator</c> the AWS
/// emulator) as a child process, with its whole output captured: the script's <c>func-start:</c> lines, the host log
/// and the worker's log lines the host relays. Disposing kills the worker, the host, Azurite and the emulator by the
/// PIDs the script and the host reported (SIGKILL: the host ignores SIGTERM for several seconds), then the script.
/// </summary>
internal sealed partial class FunctionsHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(300);
    private Process _script = null!;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly string _state;

    private FunctionsHostProcess(int port, string state)
    {
        Port = port;
        _state = state;
    }

    private void Run(ProcessStartInfo start)
    {
        var script = Process.Start(start)!;
        _script = script;
        script.OutputDataReceived += (_, e) => Append(e.Data);
        script.ErrorDataReceived += (_, e) => Append(e.Data);
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>The default function key, written to the host's key file before start (<c>func start</c> needs none).</summary>
    public string FunctionKey { get; } = NewKey();

    /// <summary>The master key (admin API).</summary>
    public string MasterKey { get; } = NewKey();

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>Everything the script, the host and the worker wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _script.HasExited;

    /// <summary>
    /// Starts the script with <paramref name="arguments"/> (always <c>--no-build --port</c> and the test assembly's
    /// configuration) and <paramref name="environment"/> on top of this process's environment, minus
    /// <c>CONTAINER_NAME</c> and any <c>IamKey__*</c> setting of the machine.
    /// </summary>
    /// <param name="writeKeys">Write the host's key file before start with <see cref="FunctionKey"/> and <see cref="MasterKey"/>;
    /// false leaves it to the script, as on a developer's first start.</param>
    public static async Task<FunctionsHostProcess> StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string state, bool writeKeys = true)
    {
        if (FunctionsHostEnvironment.Missing is { } missing)
        {
            throw new InvalidOperationException($"Cannot run the Functions host tests: {missing}.");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = FunctionsHostEnvironment.RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Combine(FunctionsHostEnvironment.RepositoryRoot, "scripts", "func-start.sh"));
        foreach (var argument in (string[])["--no-build", "--configuration", FunctionsHostEnvironment.Configuration, "--port", $"{port}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("CONTAINER_NAME");
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("IamKey__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["FUNC_START_STATE"] = state;
        start.Environment["FUNCTIONS_HOST_STATE"] = Path.Combine(state, "host");
        start.Environment["AZURITE"] = FunctionsHostEnvironment.Azurite;
        if (FunctionsHostEnvironment.StartHostFolder is { } folder)
        {
            start.Environment[FunctionsHostEnvironment.HostVariable] = folder;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var host = new FunctionsHostProcess(port, state);
        if (writeKeys)
        {
            await host.WriteKeysAsync(Path.Combine(state, "host", "secrets"));
        }

        host.Run(start);
        return host;
    }

    /// <summary>
    /// Waits until the script reports the host ready (<c>func-start: ready:</c>, once the host's status is Running) and
    /// the host listens for HTTP; fails with the log if the script exits first.
    /// </summary>
    public Task WaitUntilStartedAsync() =>
        WaitForOutputAsync(output => output.Contains(ReadyLine, StringComparison.Ordinal) && IsListening(output), StartTimeout, "the host to start");

    /// <summary>How the script's line with the ready <c>curl</c> command starts.</summary>
    public const string ReadyLine = "func-start: ready: ";

    /// <summary>Sends the script SIGINT (Ctrl-C) and waits for it to exit; returns its exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", _script.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _script.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(200); // the last lines
        return _script.ExitCode;
    }

    /// <summary>The PIDs the script reported (<c>func-start: azurite pid N</c>, the emulator's, the host's).</summary>
    public IReadOnlyList<int> ReportedProcessIds =>
        [.. ReportedPid().Matches(Output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    /// <summary>Waits until the host listens for HTTP (it does even when the app's worker cannot start).</summary>
    public Task WaitUntilListeningAsync() => WaitForOutputAsync(IsListening, StartTimeout, "the host to listen");

    private bool IsListening(string output) => output.Contains($"Now listening on: http://127.0.0.1:{Port}", StringComparison.Ordinal);

    /// <summary>Waits until <paramref name="condition"/> holds for <see cref="Output"/>.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition(Output))
        {
            if (_script.HasExited)
            {
                await Task.Delay(200); // let the last lines arrive
                if (condition(Output))
                {
                    return;
                }

                throw new InvalidOperationException($"The Functions host exited ({_script.ExitCode}) while waiting for {what}:\n{Tail()}");
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}:\n{Tail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The last lines of the output, for failure messages.</summary>
    public string Tail(int lines = 60) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        var output = Output;
        var reported = ReportedPid().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var workers = WorkerPid().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

        // The worker (the host's child; a restarted worker has a new PID), then the host, the emulator and Azurite, then the script.
        foreach (var worker in workers.Where(IsWorker))
        {
            Kill(worker);
        }

        reported.Reverse();
        foreach (var pid in reported)
        {
            Kill(pid);
        }

        Kill(_script.Id);
        try
        {
            await _script.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Killed; the exit is reported late on a loaded machine.
        }

        _script.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
            // Azurite may still be flushing; the folder is under the temp path.
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(); // SIGKILL on Unix
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Guards against a reused PID: only a process started as a Functions worker (<c>--workerId</c>) is killed.</summary>
    private static bool IsWorker(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("--workerId", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Append(line).Append('\n');
        }
    }

    /// <summary>The host's key file (UTF-8 with a byte-order mark), written before start so the test knows the keys.</summary>
    private async Task WriteKeysAsync(string secrets)
    {
        Directory.CreateDirectory(secrets);
        var keys = new JsonObject
        {
            ["masterKey"] = new JsonObject { ["name"] = "master", ["value"] = MasterKey, ["encrypted"] = false },
            ["functionKeys"] = new JsonArray(new JsonObject { ["name"] = "default", ["value"] = FunctionKey, ["encrypted"] = false }),
            ["systemKeys"] = new JsonArray(),
            ["hostName"] = null,
            ["instanceId"] = Guid.NewGuid().ToString("N"),
            ["source"] = "runtime",
            ["decryptionKeyId"] = "",
        };
        await File.WriteAllTextAsync(Path.Combine(secrets, "host.json"), keys.ToJsonString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(40)).Replace('+', '-').Replace('/', '_');

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The script's <c>func-start: host pid N</c> (and Azurite's, the emulator's) lines.</summary>
    [GeneratedRegex(@"^func-start: \w+ pid (\d+)$", RegexOptions.Multiline)]
    private static partial Regex ReportedPid();

    /// <summary>The worker's PID in the host's worker-initialization log entry.</summary>
    [GeneratedRegex(@"""ProcessId"": (\d+)")]
    private static partial Regex WorkerPid();
}
