using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IamKeyFunc.Testing.Storage;

/// <summary>
/// The Azurite blob service (npm <c>azurite</c>, installed by <c>.ci/run</c> into <c>tools/azurite</c>) as a child
/// process on a free loopback port with a throw-away data folder. <see cref="Locate"/> finds it in
/// <c>tools/azurite</c> above the test binaries, or on <c>PATH</c>.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, documented: not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Why a test that needs Azurite does not run: it is not installed (outside CI only).</summary>
    public const string MissingReason = "Azurite is not installed (npm install --prefix tools/azurite azurite; .ci/run does it)";

    private readonly Process _process;
    private readonly string _location;

    private Azurite(Process process, string location, int port)
    {
        _process = process;
        _location = location;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for this instance (the shape of <c>UseDevelopmentStorage=true</c>, on this port).</summary>
    public string ConnectionString => ConnectionStringFor(Port);

    /// <summary>The development account's connection string on a loopback port (one nothing listens on makes storage unreachable).</summary>
    public static string ConnectionStringFor(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/{AccountName};";

    /// <summary>The <c>azurite-blob</c> executable, or null when it is not installed.</summary>
    public static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tools", "azurite", "node_modules", ".bin", "azurite-blob");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, "azurite-blob"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Starts Azurite's blob service and waits until it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">Azurite is not installed, or did not start.</exception>
    public static async Task<Azurite> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = Locate() ?? throw new InvalidOperationException(MissingReason + ".");
        var location = Directory.CreateTempSubdirectory("azurite-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", location, "--silent", "--skipApiVersionCheck" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, location, port);
        // Node starts slowly on a loaded machine: allow two minutes.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return azurite;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        int? exitCode = process.HasExited ? process.ExitCode : null;
        await azurite.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException(exitCode is { } code
            ? $"Azurite ({executable}) exited with code {code} before listening on port {port}."
            : $"Azurite ({executable}) did not listen on port {port} within 2 minutes.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        Directory.Delete(_location, recursive: true);
    }

    /// <summary>A loopback port nothing listens on (at the moment it is returned).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
