using System.Globalization;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using Spectre.Console;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>
/// What a run found, for people: the riskiest keys with findings and a one-line tally, the policies, the change
/// events, the coverage and the closing line. Every text that came from AWS or the settings goes through
/// <see cref="TerminalText"/>.
/// </summary>
internal static class RunReport
{
    /// <summary>What the columns of the findings table mean, under it (the README has the long form).</summary>
    internal static readonly string[] Legend =
    [
        "Risk: 0-100, from the key's age, days idle, never used, a password without MFA, admin or credential-managing rights (privilege scan) and a root key.",
        "Severity: the worst of the key's findings. Critical: an active root key. High: RotationOverdue, Unused. Medium: NeverUsedPastGrace, TwoActiveKeys, ExemptionExpired. Low: DueSoon, an inactive root key.",
        "Breach (d): days until the first threshold of the key's policy is crossed; negative once crossed (-30: 30 days ago). Age and Last used are in whole days.",
    ];

    /// <summary>The riskiest keys with findings, the legend and the tally; one line when no key has a finding.</summary>
    public static void WriteFindings(IAnsiConsole console, FindingsDigest digest)
    {
        if (digest.WithFindings == 0)
        {
            console.MarkupLine($"[green]No findings[/] in {Counted.Of(digest.Keys, "access key")}.");
            return;
        }

        var top = digest.Top;
        if (top.Count > 0)
        {
            var shown = top.Count < digest.WithFindings ? $"the {top.Count} riskiest of {digest.WithFindings} with findings, of {digest.Keys}" : $"{digest.WithFindings} of {digest.Keys}";
            var table = new Table().Border(TableBorder.Rounded).Title($"Access keys with findings ({shown})");
            table.AddColumns("Risk", "Severity", "Account", "User", "Access key", "Status", "Age (d)", "Last used", "Policy", "Breach (d)", "Findings");
            foreach (var record in top)
            {
                table.AddRow(
                    record.RiskScore.ToString(CultureInfo.InvariantCulture),
                    Severity(record.Severity),
                    TerminalText.Markup(record.AccountAlias ?? record.AccountName ?? record.AccountId),
                    TerminalText.Markup(record.UserName),
                    TerminalText.Markup(record.AccessKeyId ?? (record.RootKey ? "(root key)" : "")),
                    TerminalText.Markup(record.Status),
                    record.KeyAgeDays?.ToString(CultureInfo.InvariantCulture) ?? "?",
                    TerminalText.Markup(LastUsed(record)),
                    TerminalText.Markup(record.PolicyName),
                    record.DaysUntilBreach?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    TerminalText.Markup(record.Findings.Replace(",", ", ", StringComparison.Ordinal) + (record.Exempt ? $" (exempt: {record.ExemptReference})" : "")));
            }

            console.Write(table);
            foreach (var line in Legend)
            {
                console.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
            }
        }

        console.MarkupLine(Tally(digest));
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
                TerminalText.Markup(policy.Key),
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
                $"{state} {key.ExemptUntil:yyyy-MM-dd}: {TerminalText.Markup(key.AccountAlias ?? key.AccountId)} {TerminalText.Markup(key.UserName)} ({TerminalText.Markup(key.ExemptReference)}: {TerminalText.Markup(key.ExemptReason)}); it keeps its findings: {TerminalText.Markup(key.Findings)}"));
        }

        foreach (var account in unmatched)
        {
            console.MarkupLine($"[yellow]Exemptions that matched no key[/] in {TerminalText.Markup(account.AccountAlias ?? account.AccountId)}: {TerminalText.Markup(account.UnmatchedExemptions)} (renew the match or remove them).");
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
                TerminalText.Markup(e.EventType),
                TerminalText.Markup(e.AccountAlias ?? e.AccountId),
                TerminalText.Markup(e.UserName),
                TerminalText.Markup(e.AccessKeyIdHash is { Length: > 12 } hash ? hash[..12] + "\u2026" : e.AccessKeyIdHash ?? "(root key)"),
                TerminalText.Markup(e.StatusBefore ?? "-"),
                TerminalText.Markup(e.StatusAfter ?? "-"),
                TerminalText.Markup(e.Detail));
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

        console.MarkupLine(
            $"Coverage: {Counted.Of(discovered.Count, "account")} discovered in AWS Organizations, {discovered.Count(a => a.Is(AccountStatus.Succeeded))} collected, {discovered.Count(a => a.Is(AccountStatus.Failed))} failed, {discovered.Count(a => a.Is(AccountStatus.Skipped))} skipped.");
        foreach (var account in discovered.Where(a => !a.Is(AccountStatus.Succeeded)))
        {
            console.MarkupLine($"  {TerminalText.Markup(account.AccountId)} {TerminalText.Markup(account.AccountName)} ({TerminalText.Markup(account.OrganizationalUnitPath)}) {TerminalText.Markup(account.Status)}: {TerminalText.Markup(account.ErrorCode)}");
        }
    }

    /// <summary>
    /// The closing line: the run's status, its accounts, and every table's records with what was delivered; then, when
    /// a table's delivery failed, one line naming each such table and why.
    /// </summary>
    public static void WriteOutcome(IAnsiConsole console, RunResult result)
    {
        var failed = result.Accounts.Count(a => a.Is(AccountStatus.Failed));
        var colour = result.Status switch
        {
            RunStatus.Succeeded => "green",
            RunStatus.PartiallySucceeded => "yellow",
            _ => "red",
        };
        var tables = Tables(result);
        var delivery = result.DryRun ? "; dry run, nothing delivered"
            : tables.All(t => t.Delivery is null) ? "; nothing delivered (IamKey:Delivery:Sink is None)"
            : "";
        var recovered = result.RecoveredBatches == 0 ? "" : $"; {Counted.Of(result.RecoveredBatches, "failed batch", "failed batches")} recovered";
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Run {TerminalText.Markup(result.RunId)} [{colour}]{result.Status}[/] in {result.Duration.TotalSeconds:F1} s: {Counted.Of(result.Accounts.Count, "account")} ({failed} failed); {string.Join(", ", tables.Select(t => t.Describe()))}{delivery}{recovered}."));
        foreach (var (error, names) in tables.Where(t => t.Delivery is { Failed: > 0 }).GroupBy(t => t.Delivery!.Error ?? "no reason given").Select(g => (g.Key, g.Select(t => t.Plural).ToList())))
        {
            console.MarkupLine($"[red]Not delivered:[/] {Markup.Escape(string.Join(" and ", names))}: {TerminalText.Markup(CliErrors.Clean(error))}");
        }
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
            $"[yellow]Warning:[/] {history.Failures.Count} of {history.Attempted} account snapshots could not be written, so their change events repeat until they can be (account {first.Key}: {TerminalText.Markup(first.Value.Message)})"));
    }

    /// <summary>Each table of the run: its records and what its sink did with them (null: not sent).</summary>
    internal static IReadOnlyList<TableOutcome> Tables(RunResult result) =>
    [
        new("key record", "key records", result.KeyDelivery?.Records ?? result.KeysCollected, result.DryRun ? null : result.KeyDelivery),
        new("change event", "change events", result.EventDelivery?.Records ?? result.Events.Count, result.DryRun ? null : result.EventDelivery),
        new("run summary", "run summaries", result.SummaryDelivery?.Records ?? result.Accounts.Count, result.DryRun ? null : result.SummaryDelivery),
    ];

    /// <summary>One table of a run: <c>10 key records (10 delivered)</c>, <c>4 run summaries (0 delivered, 4 failed)</c>.</summary>
    internal sealed record TableOutcome(string One, string Plural, int Records, DeliveryResult? Delivery)
    {
        public string Describe()
        {
            var records = Counted.Of(Records, One, Plural);
            return Delivery switch
            {
                null => records,
                { Failed: 0 } when Records == 0 => records,
                { Failed: 0 } d => string.Create(CultureInfo.InvariantCulture, $"{records} ({d.Delivered} delivered{Recovered(d)})"),
                var d => string.Create(CultureInfo.InvariantCulture, $"{records} ({d.Delivered} delivered{Recovered(d)}, [red]{d.Failed} failed[/])"),
            };
        }

        /// <summary>How many of the delivered records the run's recovery pass sent again after their batch failed (nothing when none).</summary>
        private static string Recovered(DeliveryResult delivery) =>
            delivery.Recovered == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", {delivery.Recovered} of them by the recovery pass");
    }

    private static string Tally(FindingsDigest digest) => "Keys: " + string.Join(", ",
    [
        $"[bold]{digest.RotationOverdue}[/] to rotate",
        $"[bold]{digest.Unused}[/] unused",
        $"[bold]{digest.NeverUsedPastGrace}[/] never used",
        $"[bold]{digest.RootKeys}[/] root",
        $"[bold]{digest.TwoActiveKeys}[/] held by users with two active keys",
        $"[bold]{digest.DueSoon}[/] due soon",
        $"[bold]{digest.Exempt}[/] exempt",
    ]) + ".";

    private static string Severity(string severity) => severity switch
    {
        "Critical" => "[white on red]Critical[/]",
        "High" => "[red]High[/]",
        "Medium" => "[yellow]Medium[/]",
        _ => TerminalText.Markup(severity),
    };

    private static string LastUsed(KeyRecord record) => record switch
    {
        { LastUsedAt: { } at, DaysSinceLastUse: { } days } =>
            string.Create(CultureInfo.InvariantCulture, $"{at:yyyy-MM-dd} ({days} d ago{(record.LastUsedService is { Length: > 0 } service ? ", " + service : "")})"),
        { NeverUsed: true } => "never",
        _ => "unknown",
    };
}
