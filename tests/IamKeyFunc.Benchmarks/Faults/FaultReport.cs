using System.Globalization;
using System.Text;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Benchmarks.Faults;

/// <summary>The fault-injection results as the <c>## Fault injection</c> section of <c>docs/benchmarks.md</c>.</summary>
internal static class FaultReport
{
    public const string Heading = "## Fault injection";

    public static string Section(FaultArguments arguments, MachineInfo machine, DateTimeOffset started, TimeSpan total, IReadOnlyList<FaultRunResult> runs)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading).AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"The recovery pass (issue 21) under a fault rate of **{arguments.Rate:P0} on every endpoint**: STS and IAM in the loopback AWS emulator (a third each 500 `InternalFailure`, 503 `ServiceUnavailable`, dropped connection; no `Throttling`, which makes the adaptive rate pacer slow collection to its floor, a collection matter), and the managed identity endpoint, Key Vault, the Data Collector and Logs Ingestion among the Azure fakes (429 with `Retry-After: 1`, 500, 503). Each run is one scenario ({arguments.Accounts} accounts × {arguments.Users} users, seed = first seed + run number) against a fresh emulator and fresh fakes, through the production composition root: a fault-free baseline run writes the snapshots, one key per account is deleted and one deactivated, then the measured run goes through the faults with change history on. Production attempt counts everywhere (IAM 12, STS 4, delivery 4, Key Vault 4); only the waits are shortened (delivery 10–200 ms). The fake managed-identity credential does not retry, so a token or workspace-key failure is common and is left to the recovery pass."));
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(arguments.Command);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{started:yyyy-MM-dd HH:mm} UTC, {machine.Describe()}, total {total.TotalMinutes:0.0} min. First seed **{arguments.Seed}**, **{arguments.Runs} runs** per sink and budget."));
        text.AppendLine();
        text.AppendLine("Each run is checked against the fake workspace: its key rows, change events and summaries there (by run ID) must each be there once, as many as the run says it delivered, delivered + failed must equal what was handed to the sink, every summary row must be the account's final status, and the recovery pass must end within the run's budget (+1 s for the send cut at the deadline; the first sends go out whatever the time, so a collection slower than the budget is not a violation). **Complete**: every key row collected, every change event and every summary delivered. **Exact shortfall**: not complete, and every check holds. **Violation**: a check failed.");
        text.AppendLine();
        text.AppendLine("| Sink | Budget | Runs | Complete | Exact shortfall | Violations | Complete % | Key rows (missing) | Events (missing) | Summaries (missing) | Batches recovered | Rounds (max) | Accounts failed in AWS | Faults injected | Wall s (median / max) |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var group in runs.GroupBy(r => (r.Sink, r.Budget)).OrderBy(g => g.Key.Budget == arguments.Budget ? 0 : 1).ThenBy(g => g.Key.Sink))
        {
            var list = group.ToList();
            var walls = list.Select(r => r.Duration.TotalSeconds).Order().ToList();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Name(group.Key.Sink)} | {group.Key.Budget.TotalSeconds:0.#} s | {list.Count} | {list.Count(r => r.Complete)} | {list.Count(r => r.ExactShortfall)} | {list.Count(r => r.Violation is not null)} | " +
                $"{100.0 * list.Count(r => r.Complete) / list.Count:0.#} % | {list.Sum(r => r.Keys):N0} ({list.Sum(r => r.KeysMissing):N0}) | {list.Sum(r => r.Events):N0} ({list.Sum(r => r.EventsMissing):N0}) | " +
                $"{list.Sum(r => r.Summaries):N0} ({list.Sum(r => r.SummariesMissing):N0}) | {list.Sum(r => r.BatchesRecovered):N0} | {list.Max(r => r.RecoveryRounds)} | " +
                $"{list.Sum(r => r.AccountsFailedInAws)} of {list.Sum(r => r.Accounts)} | {list.Sum(r => r.FaultsInjected):N0} | {walls[walls.Count / 2]:0.00} / {walls[^1]:0.00} |"));
        }

        var main = runs.Where(r => r.Budget == arguments.Budget).ToList();
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"With the {arguments.Budget.TotalSeconds:0.#} s budget, **{main.Count(r => r.Complete)} of {main.Count} runs ({100.0 * main.Count(r => r.Complete) / Math.Max(1, main.Count):0.#} %) are complete**, {main.Count(r => r.ExactShortfall)} end with an exact shortfall and {main.Count(r => r.Violation is not null)} with a violation (target: at least 90 % complete, the rest exact within the budget). \"Accounts failed in AWS\" are accounts whose collection failed under the AWS faults (a `Failed` summary row, no key rows): not a delivery shortfall."));
        var notable = runs.Where(r => !r.Complete).OrderBy(r => r.Violation is null).ThenBy(r => r.Budget).ThenBy(r => r.Sink).ThenBy(r => r.Seed).ToList();
        if (notable.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Runs that were not complete:");
            text.AppendLine();
            text.AppendLine("| Sink | Budget | Seed | Status | Wall s | Recovery ended at s | Missing: key rows, events, summaries | Deadline reached | Violation |");
            text.AppendLine("|---|--:|--:|---|--:|--:|---|---|---|");
            foreach (var run in notable.Take(40))
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Name(run.Sink)} | {run.Budget.TotalSeconds:0.#} s | {run.Seed} | {run.Status} | {run.Duration.TotalSeconds:0.00} | {(run.RecoveryEnded is { } ended ? ended.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {run.KeysMissing} of {run.Keys}, {run.EventsMissing} of {run.Events}, {run.SummariesMissing} of {run.Summaries} | {(run.DeadlineReached ? "yes" : "no")} | {run.Violation ?? "none"} |"));
            }

            if (notable.Count > 40)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| … | | | | | | {notable.Count - 40} more | | |"));
            }
        }

        return text.ToString();
    }

    /// <summary><paramref name="document"/> with its fault-injection section replaced by <paramref name="section"/> (appended when it has none).</summary>
    public static string Replace(string document, string section)
    {
        var start = document.IndexOf("\n" + Heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            return document.TrimEnd() + "\n\n" + section;
        }

        var next = document.IndexOf("\n## ", start + Heading.Length + 1, StringComparison.Ordinal);
        return document[..(start + 1)] + section + (next < 0 ? "" : "\n" + document[(next + 1)..]);
    }

    /// <summary>The fault-injection section of <paramref name="document"/> (to keep it when the rest is rewritten); null when it has none.</summary>
    public static string? Extract(string document)
    {
        var start = document.IndexOf("\n" + Heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var next = document.IndexOf("\n## ", start + Heading.Length + 1, StringComparison.Ordinal);
        return next < 0 ? document[(start + 1)..] : document[(start + 1)..(next + 1)];
    }

    private static string Name(SinkMode sink) => sink == SinkMode.DataCollector ? "Data Collector" : "Logs Ingestion";
}
