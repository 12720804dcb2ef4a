using IamKeyFunc.Reporting.Runs;

namespace IamKeyFunc.Cli;

/// <summary>Process exit codes (documented in the README).</summary>
internal static class ExitCodes
{
    public const int Succeeded = 0;

    /// <summary>The run failed, the configuration is invalid, or the command line is wrong.</summary>
    public const int Failed = 1;

    /// <summary>Some accounts failed; everything collected was delivered.</summary>
    public const int PartiallySucceeded = 2;

    /// <summary>Ctrl-C or SIGTERM stopped the run (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    public static int Of(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Succeeded,
        RunStatus.PartiallySucceeded => PartiallySucceeded,
        _ => Failed,
    };
}
