using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Runs.FanOut;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Functions;

/// <summary>
/// <c>POST /api/report/refresh[?account=111122223333[,…]][&amp;dryRun=true]</c> (function key): runs the inventory now
/// and answers with the run's summary. A dry run collects without sending and returns the records as the sink would
/// have sent them. With <c>IamKey:Run:Mode = FanOut</c> (not dry runs) it queues the run and answers 202 with its ID. 409 while another run is in progress; 400 for bad parameters or an account that is not configured.
/// </summary>
public sealed partial class RefreshReport(ReportJob job, FanOutRunner fanOut, IOptions<RunOptions> runOptions, ILogger<RefreshReport> logger)
{
    [Function(nameof(RefreshReport))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "report/refresh")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!Query.TryParse(request.Query, out var query, out var error))
        {
            return new BadRequestObjectResult(new ErrorResponse(error));
        }

        try
        {
            if (runOptions.Value.Mode == RunMode.FanOut && !query.DryRun)
            {
                var started = await fanOut.StartAsync(new RunRequest(RunTrigger.Http, query.Accounts), cancellationToken);
                return started.Errors.Count > 0
                    ? new BadRequestObjectResult(new ErrorResponse(string.Join(" ", started.Errors)))
                    : new AcceptedResult((string?)null, new FanOutResponse(started.RunId, started.AccountsQueued));
            }

            var result = await job.RunAsync(new RunRequest(RunTrigger.Http, query.Accounts, query.DryRun), cancellationToken);
            if (result.AccountErrors.Count > 0)
            {
                return new BadRequestObjectResult(new ErrorResponse(string.Join(" ", result.AccountErrors)));
            }

            logger.LogInformation("Refresh run {RunId} finished {Status} in {DurationMs:F0} ms (dry run: {DryRun})",
                result.RunId, result.Status, result.Duration.TotalMilliseconds, result.DryRun);
            return new OkObjectResult(Response.From(result));
        }
        catch (RunInProgressException exception)
        {
            logger.LogInformation("Refresh refused: run {RunningRunId} is in progress", exception.RunningRunId);
            return new ConflictObjectResult(new ConflictResponse(
                $"Run {exception.RunningRunId} is already in progress; try again when it has finished.", exception.RunningRunId));
        }
    }

    /// <summary>The query string: <c>account</c> (repeatable and/or comma-separated) and <c>dryRun</c>. Other parameters (such as <c>code</c>) are ignored.</summary>
    internal sealed partial record Query(IReadOnlyList<string>? Accounts, bool DryRun)
    {
        public static bool TryParse(
            IQueryCollection query,
            [NotNullWhen(true)] out Query? parsed,
            [NotNullWhen(false)] out string? error)
        {
            parsed = null;
            var accounts = query["account"]
                .SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Distinct(StringComparer.Ordinal)
                .ToList();

            if (accounts.FirstOrDefault(account => !AccountId.IsValid(account)) is { } malformed)
            {
                error = AccountId.NotAnAccountId("account", malformed);
                return false;
            }

            var dryRunValues = query["dryRun"];
            var dryRun = false;
            if (dryRunValues.Count > 1 || (dryRunValues.Count == 1 && !bool.TryParse(dryRunValues[0], out dryRun)))
            {
                error = $"dryRun must be true or false, not '{dryRunValues}'.";
                return false;
            }

            parsed = new Query(accounts.Count == 0 ? null : accounts, dryRun);
            error = null;
            return true;
        }
    }

    internal sealed record ErrorResponse(string Error);

    /// <summary>A fan-out run was queued (202): its ID and how many accounts; its summaries and run-level record follow as the accounts complete.</summary>
    internal sealed record FanOutResponse(string RunId, int AccountsQueued);

    internal sealed record ConflictResponse(string Error, string RunningRunId);

    /// <summary>The JSON answer. Records (dry runs only) are written exactly as the sinks send them: table column names, nulls omitted.</summary>
    internal sealed record Response(
        string RunId,
        string Status,
        string Trigger,
        bool DryRun,
        DateTimeOffset StartedAt,
        double DurationMs,
        IReadOnlyList<AccountResponse> Accounts,
        DeliveryResponse? Delivery,
        JsonElement? Records)
    {
        public static Response From(RunResult result) => new(
            result.RunId,
            result.Status.ToString(),
            result.Trigger.ToString().ToLowerInvariant(),
            result.DryRun,
            result.StartedAt,
            Math.Round(result.Duration.TotalMilliseconds),
            [.. result.Accounts.Select(AccountResponse.From)],
            result.KeyDelivery is null && result.SummaryDelivery is null ? null : new DeliveryResponse(result.KeyDelivery, result.SummaryDelivery),
            result.DryRun ? JsonSerializer.SerializeToElement(result.Records, ReportJsonContext.Default.IReadOnlyListKeyRecord) : null);
    }

    internal sealed record AccountResponse(
        string AccountId,
        string? AccountAlias,
        string Status,
        string Mode,
        int UsersScanned,
        int KeysReported,
        int FindingsCount,
        string? ErrorCode,
        string? ErrorMessage,
        double DurationMs)
    {
        public static AccountResponse From(RunSummary summary) => new(
            summary.AccountId, summary.AccountAlias, summary.Status, summary.Mode, summary.UsersScanned, summary.KeysReported,
            summary.FindingsCount, summary.ErrorCode, summary.ErrorMessage, Math.Round(summary.DurationMs));
    }

    internal sealed record DeliveryResponse(DeliveryResult? Keys, DeliveryResult? Summaries);
}
