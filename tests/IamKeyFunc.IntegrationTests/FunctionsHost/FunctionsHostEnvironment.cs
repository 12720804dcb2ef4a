using System.Runtime.CompilerServices;
using IamKeyFunc.Testing;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>
/// Where the real Functions host and Azurite come from on this machine. The host: <c>func start</c> when Azure
/// Functions Core Tools are on the PATH, else the folder named by <c>IAMKEY_FUNCTIONS_HOST</c> (holding
/// <c>start-host</c>; <c>.ci/run</c> points it at <c>../shared/tools/functions-host</c>). Azurite: <c>AZURITE</c>, else
/// <c>tools/azurite/node_modules/.bin/azurite</c>, else <c>azurite</c> on the PATH. Without them the host tests skip
/// with <see cref="SkipReason"/>, except under <c>CI=true</c>, where they run and fail.
/// </summary>
internal static class FunctionsHostEnvironment
{
    public const string HostVariable = "IAMKEY_FUNCTIONS_HOST";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The folder holding <c>start-host</c>, or null.</summary>
    public static string? StartHostFolder { get; } = ResolveStartHost();

    /// <summary>True when Core Tools' <c>func</c> is on the PATH (the script then prefers it; it does not enforce keys).</summary>
    public static bool UsesCoreTools { get; } = FindOnPath("func") is not null;

    public static string? Azurite { get; } = ResolveAzurite();

    public static bool IsCi { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the host tests cannot run here, or null when they can.</summary>
    public static string? Missing { get; } =
        !UsesCoreTools && StartHostFolder is null ? $"no Functions host: install Azure Functions Core Tools (func) or set {HostVariable} to a folder with start-host"
        : Azurite is null ? "no Azurite: npm install --prefix tools/azurite azurite (or set AZURITE)"
        : !OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() ? "the host tests run scripts/func-start.sh (bash)"
        : null;

    /// <summary>The skip reason for <see cref="HostFactAttribute"/>: <see cref="Missing"/>, never under <c>CI=true</c>.</summary>
    public static string? SkipReason => IsCi ? null : Missing;

    /// <summary>The Function app's build output (the configuration this test assembly was built with).</summary>
    public static string AppDirectory => Path.Combine(RepositoryRoot, "src", "IamKeyFunc", "bin", Configuration, "net10.0");

    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IamKeyFunc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"IamKeyFunc.sln not found above {AppContext.BaseDirectory}.");
    }

    private static string? ResolveStartHost()
    {
        var folder = Environment.GetEnvironmentVariable(HostVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return null;
        }

        folder = Path.GetFullPath(folder, RepositoryRoot);
        return File.Exists(Path.Combine(folder, "start-host")) ? folder : null;
    }

    private static string? ResolveAzurite()
    {
        var configured = Environment.GetEnvironmentVariable("AZURITE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var local = Path.Combine(RepositoryRoot, "tools", "azurite", "node_modules", ".bin", "azurite");
        return File.Exists(local) ? local : FindOnPath("azurite");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs the real Functions host; skipped with a one-line reason where there is none (never under <c>CI=true</c>).</summary>
internal sealed class HostFactAttribute : FactAttribute
{
    private readonly string _test;
    private readonly string _file;

    public HostFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        (_test, _file) = (test, file);
        Skip = FunctionsHostEnvironment.SkipReason;
        DisplayName = SkippedTest.DisplayName(Skip, test, file)!;
    }

    /// <summary>The test checks function keys, which <c>func start</c> does not enforce.</summary>
    public bool NeedsKeyChecks
    {
        get => false;
        init
        {
            if (value && Skip is null && FunctionsHostEnvironment.UsesCoreTools)
            {
                Skip = "func start does not enforce function keys";
                DisplayName = SkippedTest.DisplayName(Skip, _test, _file)!;
            }
        }
    }
}

/// <summary>A theory that needs the real Functions host (see <see cref="HostFactAttribute"/>).</summary>
internal sealed class HostTheoryAttribute : TheoryAttribute
{
    public HostTheoryAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skip = FunctionsHostEnvironment.SkipReason;
        DisplayName = SkippedTest.DisplayName(Skip, test, file)!;
    }
}
