using IamKeyFunc.Reporting.Runs;

namespace IamKeyFunc.Cli.Hosting;

/// <summary>Process exit codes (documented in the README).</summary>
internal static class ExitCodes
{
    public const int Succeeded = 0;

    /// <summary>The run failed, the configuration is invalid, or the command line is wrong.</summary>
    public const int Failed = 1;

    /// <summary>Some accounts failed; everything collected was delivered.</summary>
    public const int PartiallySucceeded = 2;

    /// <summary>The run delivered, but not one account snapshot of the change history could be written (<c>--state-dir</c>).</summary>
    public const int HistoryNotWritten = 3;

    /// <summary>Ctrl-C or SIGTERM stopped the run (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>The run's status, or <see cref="HistoryNotWritten"/> when it did not fail but wrote no snapshot that was due.</summary>
    public static int Of(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.History is { NoneWritten: true } && result.Status != RunStatus.Failed ? HistoryNotWritten : Of(result.Status);
    }

    public static int Of(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Succeeded,
        RunStatus.PartiallySucceeded => PartiallySucceeded,
        _ => Failed,
    };
}
