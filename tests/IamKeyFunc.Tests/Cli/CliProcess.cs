using System.Diagnostics;

namespace IamKeyFunc.Tests.Cli;

/// <summary>
/// Runs the built <c>iamkeys</c> as a child process (<c>dotnet iamkeys.dll</c> from the test output), with standard
/// output and error redirected to pipes as a script or a scheduler would: what the user really sees, logs included.
/// </summary>
internal static class CliProcess
{
    public static Process Start(params string[] args) => Start(null, args);

    /// <summary>Starts <c>iamkeys</c> with <paramref name="environment"/> on top of this process's (a null value removes a variable).</summary>
    public static Process Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "iamkeys.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The child reads the same IamKey__ environment as the developer's shell otherwise; tests pass --config only.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("IamKey__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        return await WaitAsync(process);
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(environment, args);
        return await WaitAsync(process);
    }

    /// <summary>Runs <c>iamkeys</c> and returns the exact bytes it wrote to standard output and error (no decoding).</summary>
    public static async Task<(int ExitCode, byte[] Output, byte[] Error)> RunRawAsync(params string[] args)
    {
        using var process = Start(args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var output = new MemoryStream();
        using var error = new MemoryStream();
        var reading = Task.WhenAll(
            process.StandardOutput.BaseStream.CopyToAsync(output, timeout.Token),
            process.StandardError.BaseStream.CopyToAsync(error, timeout.Token));
        await process.WaitForExitAsync(timeout.Token);
        await reading;
        return (process.ExitCode, output.ToArray(), error.ToArray());
    }

    public static async Task<(int ExitCode, string Output, string Error)> WaitAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>No line of <paramref name="text"/> is a stack frame.</summary>
    public static void AssertNoStackTrace(string text) =>
        Assert.DoesNotContain(text.Split('\n'), line => line.StartsWith("   at ", StringComparison.Ordinal));

    /// <summary>The non-empty lines of <paramref name="text"/>.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
