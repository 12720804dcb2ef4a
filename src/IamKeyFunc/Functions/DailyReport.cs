using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Runs.FanOut;

namespace IamKeyFunc.Functions;

/// <summary>
/// The daily inventory. The schedule is the <c>IAMKEY_SCHEDULE</c> app setting (default <c>0 0 6 * * *</c>, 06:00 UTC).
/// A failed run throws so the invocation is recorded as failed and the host retries it with backoff; a run where only
/// some accounts failed is a success here (the per-account summaries carry the failures). With
/// <c>IamKey:Run:Mode = FanOut</c> it only queues the run (see <see cref="CollectAccount"/>).
/// </summary>
public sealed class DailyReport(ReportJob job, FanOutRunner fanOut, IOptions<RunOptions> runOptions, ILogger<DailyReport> logger)
{
    [Function(nameof(DailyReport))]
    [ExponentialBackoffRetry(3, "00:01:00", "00:15:00")]
    public async Task Run(
        [TimerTrigger("%IAMKEY_SCHEDULE%", RunOnStartup = false)] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        if (runOptions.Value.Mode == RunMode.FanOut)
        {
            var started = await fanOut.StartAsync(new RunRequest(RunTrigger.Timer), cancellationToken);
            logger.LogInformation("Run {RunId} (timer, past due: {IsPastDue}) queued {AccountCount} accounts", started.RunId, timer.IsPastDue, started.AccountsQueued);
            if (started.Errors.Count > 0)
            {
                throw new InvalidOperationException($"Run {started.RunId} could not start: {string.Join(" ", started.Errors)}");
            }

            return;
        }

        var result = await job.RunAsync(new RunRequest(RunTrigger.Timer), cancellationToken);

        logger.LogInformation(
            "Run {RunId} ({Trigger}, past due: {IsPastDue}) finished {Status} in {DurationMs:F0} ms: {AccountCount} accounts, {RecordCount} key records, {Delivered} delivered",
            result.RunId, result.Trigger, timer.IsPastDue, result.Status, result.Duration.TotalMilliseconds,
            result.Accounts.Count, result.KeysCollected, result.KeyDelivery?.Delivered ?? 0);

        if (result.Status == RunStatus.Failed)
        {
            throw new InvalidOperationException(
                $"Run {result.RunId} failed: {result.Accounts.Count(a => a.Is(AccountStatus.Failed))} of {result.Accounts.Count} accounts failed; " +
                $"key delivery: {result.KeyDelivery?.Error ?? "complete"}.");
        }
    }
}
