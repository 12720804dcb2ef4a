using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>The one rule for a run's status, whichever engine ran it.</summary>
public static class RunStatusRule
{
    /// <summary>
    /// <c>Failed</c> when a delivery (key records, change events or summaries) failed, or every attempted account failed;
    /// <c>PartiallySucceeded</c> when some accounts failed; otherwise <c>Succeeded</c>. Skipped accounts do not count.
    /// </summary>
    public static RunStatus Of(IReadOnlyList<RunSummary> accounts, DeliveryResult? keys, DeliveryResult? summaries, DeliveryResult? events = null)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        if (keys is { Succeeded: false } || summaries is { Succeeded: false } || events is { Succeeded: false })
        {
            return RunStatus.Failed;
        }

        var attempted = accounts.Count(a => !a.Is(AccountStatus.Skipped));
        var failed = accounts.Count(a => a.Is(AccountStatus.Failed));
        return failed == 0 ? RunStatus.Succeeded
            : failed < attempted ? RunStatus.PartiallySucceeded
            : RunStatus.Failed;
    }
}

/// <summary>The column values that name a run's trigger and mode.</summary>
public static class RunNames
{
    public static string Trigger(RunTrigger trigger) => trigger switch
    {
        RunTrigger.Timer => "timer",
        RunTrigger.Http => "http",
        RunTrigger.Cli => "cli",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, null),
    };

    public static string Mode(FreshnessMode mode) => (mode == FreshnessMode.Report ? DataSource.Report : DataSource.Live).ToColumn();
}
