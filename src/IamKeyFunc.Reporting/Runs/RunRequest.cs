using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>What a trigger asks of <see cref="ReportJob"/>.</summary>
/// <param name="Trigger">Who started the run.</param>
/// <param name="Accounts">Restrict the run to these account IDs (null: every configured account).</param>
/// <param name="DryRun">Collect but do not send; the records are returned in <see cref="RunResult.Records"/>.</param>
/// <param name="Progress">Told each account's summary as it completes (CLI progress).</param>
/// <param name="Sink">Deliver to this sink instead of the configured one (the CLI's <c>--output</c>); ignored on dry runs.</param>
public sealed record RunRequest(
    RunTrigger Trigger,
    IReadOnlyList<string>? Accounts = null,
    bool DryRun = false,
    IProgress<RunSummary>? Progress = null,
    IReportSink? Sink = null);

public enum RunTrigger
{
    Timer,
    Http,
    Cli,
}
