using System.Globalization;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using Spectre.Console;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>What a run found, for people: the keys with findings (worst first) and a one-line tally per finding.</summary>
internal static class RunReport
{
    private static readonly string[] SeverityOrder = ["Critical", "High", "Medium", "Low", "None"];

    public static void WriteFindings(IAnsiConsole console, IReadOnlyList<KeyRecord> records)
    {
        var flagged = records
            .Where(r => r.Findings.Length > 0)
            .OrderBy(r => Array.IndexOf(SeverityOrder, r.Severity))
            .ThenByDescending(r => r.KeyAgeDays ?? 0)
            .ToList();

        if (flagged.Count == 0)
        {
            console.MarkupLine($"[green]No findings[/] in {records.Count} access keys.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"Access keys with findings ({flagged.Count} of {records.Count})");
        table.AddColumns("Severity", "Account", "User", "Access key", "Status", "Age (d)", "Last used", "Policy", "Breach (d)", "Findings");
        foreach (var record in flagged)
        {
            table.AddRow(
                Severity(record.Severity),
                Markup.Escape(record.AccountAlias ?? record.AccountId),
                Markup.Escape(record.UserName),
                Markup.Escape(record.AccessKeyId ?? (record.RootKey ? "(root key)" : "")),
                record.Status,
                record.KeyAgeDays?.ToString(CultureInfo.InvariantCulture) ?? "?",
                Markup.Escape(LastUsed(record)),
                Markup.Escape(record.PolicyName),
                record.DaysUntilBreach?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(record.Findings.Replace(",", ", ", StringComparison.Ordinal) + (record.Exempt ? $" (exempt: {record.ExemptReference})" : "")));
        }

        console.Write(table);
        console.MarkupLine(Tally(records));
    }

    /// <summary>
    /// Which policy the keys fell under (with how many are due soon or past a threshold), the exempt keys and the
    /// exemptions that matched nothing; nothing when only the default policy applies and there are no exemptions.
    /// </summary>
    public static void WritePolicies(IAnsiConsole console, RunResult result)
    {
        var active = result.Records.Where(r => r.Status == "Active").ToList();
        var unmatched = result.Accounts.Where(a => a.UnmatchedExemptions is not null).ToList();
        if (result.Records.All(r => r.PolicyName == "Default") && !result.Records.Any(r => r.ExemptReference is not null) && unmatched.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Key policies (first match wins)");
        table.AddColumns("Policy", "Active keys", "Due soon", "Past a threshold", "Exempt");
        foreach (var policy in active.GroupBy(r => r.PolicyName).OrderBy(g => g.Key == "Default").ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            table.AddRow(
                Markup.Escape(policy.Key),
                Count(policy.Count()),
                Count(policy.Count(r => r.DueSoon)),
                Count(policy.Count(r => r.DaysUntilBreach < 0)),
                Count(policy.Count(r => r.Exempt)));
        }

        console.Write(table);
        foreach (var key in result.Records.Where(r => r.ExemptReference is not null))
        {
            var state = key.Exempt ? "[green]exempt[/] until" : "[red]exemption expired[/]";
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{state} {key.ExemptUntil:yyyy-MM-dd}: {Markup.Escape(key.AccountAlias ?? key.AccountId)} {Markup.Escape(key.UserName)} ({Markup.Escape(key.ExemptReference!)}: {Markup.Escape(key.ExemptReason ?? "")}); it keeps its findings: {Markup.Escape(key.Findings)}"));
        }

        foreach (var account in unmatched)
        {
            console.MarkupLine($"[yellow]Exemptions that matched no key[/] in {Markup.Escape(account.AccountAlias ?? account.AccountId)}: {Markup.Escape(account.UnmatchedExemptions!)} (renew the match or remove them).");
        }

        static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The change events of the run, one row each (nothing when there are none).</summary>
    public static void WriteEvents(IAnsiConsole console, IReadOnlyList<KeyEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"Changes since the previous run ({events.Count})");
        table.AddColumns("Event", "Account", "User", "Key (SHA-256)", "Before", "After", "Detail");
        foreach (var e in events.OrderBy(e => e.AccountId, StringComparer.Ordinal).ThenBy(e => e.UserName, StringComparer.Ordinal))
        {
            table.AddRow(
                Markup.Escape(e.EventType),
                Markup.Escape(e.AccountAlias ?? e.AccountId),
                Markup.Escape(e.UserName),
                Markup.Escape(e.AccessKeyIdHash is { } hash ? hash[..12] + "\u2026" : "(root key)"),
                e.StatusBefore ?? "-",
                e.StatusAfter ?? "-",
                Markup.Escape(e.Detail));
        }

        console.Write(table);
    }

    /// <summary>With discovery: how many accounts were found, collected, failed and skipped, and why each one was not collected.</summary>
    public static void WriteCoverage(IAnsiConsole console, RunResult result)
    {
        var discovered = result.Accounts.Where(a => a.DiscoverySource == DiscoverySource.Organizations.ToColumn()).ToList();
        if (discovered.Count == 0)
        {
            return;
        }

        console.MarkupLineInterpolated(
            $"Coverage: {discovered.Count} accounts discovered in AWS Organizations, {discovered.Count(a => a.Is(AccountStatus.Succeeded))} collected, {discovered.Count(a => a.Is(AccountStatus.Failed))} failed, {discovered.Count(a => a.Is(AccountStatus.Skipped))} skipped.");
        foreach (var account in discovered.Where(a => !a.Is(AccountStatus.Succeeded)))
        {
            console.MarkupLineInterpolated($"  {account.AccountId} {account.AccountName} ({account.OrganizationalUnitPath}) {account.Status}: {account.ErrorCode}");
        }
    }

    public static void WriteOutcome(IAnsiConsole console, RunResult result)
    {
        var failed = result.Accounts.Count(a => a.Is(AccountStatus.Failed));
        var colour = result.Status switch
        {
            RunStatus.Succeeded => "green",
            RunStatus.PartiallySucceeded => "yellow",
            _ => "red",
        };
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Run {result.RunId} [{colour}]{result.Status}[/] in {result.Duration.TotalSeconds:F1} s: {result.Accounts.Count} accounts ({failed} failed), {result.KeysCollected} key records{Delivery(result)}."));
    }

    /// <summary>A warning when account snapshots of the change history could not be written (nothing otherwise).</summary>
    public static void WriteHistory(IAnsiConsole console, RunResult result)
    {
        if (result.History is not { Failures.Count: > 0 } history)
        {
            return;
        }

        var first = history.Failures.OrderBy(f => f.Key, StringComparer.Ordinal).First();
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[yellow]Warning:[/] {history.Failures.Count} of {history.Attempted} account snapshots could not be written, so their change events repeat until they can be (account {first.Key}: {Markup.Escape(first.Value.Message)})"));
    }

    private static string Tally(IReadOnlyList<KeyRecord> records) => "Keys: " + string.Join(", ",
    [
        $"[bold]{records.Count(r => r.RotationOverdue)}[/] to rotate",
        $"[bold]{records.Count(r => r.Unused)}[/] unused",
        $"[bold]{records.Count(r => r.NeverUsedPastGrace)}[/] never used",
        $"[bold]{records.Count(r => r.RootKey)}[/] root",
        $"[bold]{records.Count(r => r.TwoActiveKeys)}[/] held by users with two active keys",
        $"[bold]{records.Count(r => r.DueSoon)}[/] due soon",
        $"[bold]{records.Count(r => r.Exempt)}[/] exempt",
    ]) + ".";

    private static string Delivery(RunResult result) => result switch
    {
        { DryRun: true } => ", dry run (nothing delivered)",
        { KeyDelivery: { } keys, SummaryDelivery: { } summaries } =>
            $", {keys.Delivered} delivered, {keys.Failed} failed{Error(keys)}; {summaries.Records} run summaries, {summaries.Delivered} delivered, {summaries.Failed} failed{Error(summaries)}{Recovered(result)}",
        _ => "",
    };

    /// <summary>How many failed batches the run's recovery pass delivered (nothing when none).</summary>
    private static string Recovered(RunResult result) => result.RecoveredBatches switch
    {
        0 => "",
        1 => "; 1 failed batch recovered",
        var n => string.Create(CultureInfo.InvariantCulture, $"; {n} failed batches recovered"),
    };

    private static string Error(DeliveryResult delivery) => delivery.Error is null ? "" : $" ({Markup.Escape(delivery.Error)})";

    private static string Severity(string severity) => severity switch
    {
        "Critical" => "[white on red]Critical[/]",
        "High" => "[red]High[/]",
        "Medium" => "[yellow]Medium[/]",
        _ => Markup.Escape(severity),
    };

    private static string LastUsed(KeyRecord record) => record switch
    {
        { LastUsedAt: { } at, DaysSinceLastUse: { } days } =>
            string.Create(CultureInfo.InvariantCulture, $"{at:yyyy-MM-dd} ({days} d ago{(record.LastUsedService is { } service ? ", " + service : "")})"),
        { NeverUsed: true } => "never",
        _ => "unknown",
    };
}
