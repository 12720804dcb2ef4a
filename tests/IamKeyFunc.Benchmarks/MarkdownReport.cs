using System.Globalization;
using System.Text;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Benchmarks;

/// <summary>Renders the results as markdown: for the console as each configuration finishes, and for docs/benchmarks.md.</summary>
internal static class MarkdownReport
{
    private static readonly (string Operation, string Header)[] Operations =
    [
        ("ListUsers", "ListUsers"),
        ("ListAccessKeys", "ListAccessKeys"),
        ("GetAccessKeyLastUsed", "GetAccessKeyLastUsed"),
        ("GenerateCredentialReport", "GenerateCredentialReport"),
        ("GetCredentialReport", "GetCredentialReport"),
        ("ListAccountAliases", "ListAccountAliases"),
    ];

    public static string Document(
        BenchmarkArguments arguments,
        MachineInfo machine,
        string? loadAtEnd,
        DateTimeOffset started,
        TimeSpan total,
        IReadOnlyList<ConfigResult> results,
        IReadOnlyList<TargetCheck> targets,
        string? notes)
    {
        var md = new StringBuilder();
        Line(md, $"# Benchmarks");
        Line(md);
        Line(md, $"Collection cost and speed of the IAM access-key inventory against the seed's algorithm (issue 6), measured by `tests/IamKeyFunc.Benchmarks` against the loopback AWS emulator. This file is the program's own output (`--output`); rerun the command to refresh it.");
        Line(md);
        Line(md, $"```");
        Line(md, $"{arguments.Command}");
        Line(md, $"```");
        Line(md);
        Line(md, $"| | |");
        Line(md, $"|---|---|");
        Line(md, $"| Date | {started:yyyy-MM-dd HH:mm} UTC (total {total.TotalMinutes:0.0} min) |");
        Line(md, $"| Machine | {machine.Cores} cores{(machine.CpuModel is null ? "" : $" ({machine.CpuModel})")}, {machine.MemoryGiB:0.0} GiB{(machine.LastLevelCache is null ? "" : $", last-level cache {machine.LastLevelCache}")} |");
        Line(md, $"| OS | {machine.Os} |");
        Line(md, $"| .NET | {machine.Runtime}, {machine.Gc} GC, Release build |");
        if (machine.LoadAverage is not null)
        {
            Line(md, $"| Load average (1/5/15 min) | {machine.LoadAverage} at start, {loadAtEnd} at end |");
        }

        Line(md);
        if (Busy(machine.LoadAverage, machine.Cores) || Busy(loadAtEnd, machine.Cores))
        {
            Line(md, $"> The machine was shared with other work during the run (load average above its {machine.Cores} cores), so wall times include some CPU contention; the CPU s column shows how much processor time the benchmark itself used.");
            Line(md);
        }
        Method(md, arguments);
        Line(md, $"## Results");
        Line(md);
        foreach (var result in results)
        {
            md.Append(Configuration(result));
            Line(md);
        }

        Line(md, $"## Targets");
        Line(md);
        md.Append(TargetTable(targets));
        Line(md);
        Settings(md, arguments.Overrides);
        if (notes is not null)
        {
            Line(md);
            Line(md, $"## Notes");
            Line(md);
            md.Append(notes.Trim()).Append('\n');
        }

        return md.ToString();
    }

    /// <summary>The table of one configuration.</summary>
    public static string Configuration(ConfigResult result)
    {
        var md = new StringBuilder();
        var config = result.Config;
        var title = int.TryParse(config.Name, out _) ? $"Configuration {config.Name}" : config.Name;
        Line(md, $"### {title}: {config.Describe()}");
        Line(md);
        Line(md, $"Ground truth: {result.Users:N0} users, {result.UserKeys:N0} user keys, {result.RootKeys} root keys. Minimum IAM calls per account — baseline {Minimum(result, BenchmarkMode.Baseline)}, live {Minimum(result, BenchmarkMode.Live)}, report {Minimum(result, BenchmarkMode.Report)}.");
        Line(md);
        md.Append("| Mode | Wall s | Wall range s | CPU s | IAM calls | ");
        md.AppendJoin(" | ", Operations.Select(o => o.Header));
        md.AppendLine(" | STS calls | Throttled | Throttled % | Retries | Peak MB | Retained MB | Kept MB | Alloc MB | Records | Bytes | Time vs baseline | Calls vs baseline | Floor s | CPU floor s | Wall / floor | Wall / max floor | Check |");
        md.Append("|---|--:|--:|--:|--:|");
        md.AppendJoin("", Operations.Select(_ => "--:|"));
        md.AppendLine("--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        var baseline = result.Modes.FirstOrDefault(m => m.Mode == BenchmarkMode.Baseline);
        foreach (var m in result.Modes)
        {
            md.Append(F($"| {Label(m.Mode)} | {m.Wall.TotalSeconds:0.00} | {Range(m.WallRuns)} | {m.Cpu.TotalSeconds:0.0} | {m.ServerIamTotal:N0} | "));
            md.AppendJoin(" | ", Operations.Select(o => F($"{m.ServerIamCalls.GetValueOrDefault(o.Operation):N0}")));
            md.Append(F($" | {m.ServerStsCalls} | {m.ServerThrottled:N0} | {m.ThrottledShare:P1} | {m.Client.Retries:N0} | {m.PeakMegabytes:0.0} | {m.RetainedMegabytes:0.0} | {m.GrowthMegabytes:0.0} | {m.AllocatedMegabytes:0} | {m.Records:N0} | {m.Bytes:N0} | "));
            md.Append(baseline is null || m == baseline ? "— | — | " : F($"{m.Wall / baseline.Wall:0.00} ({baseline.Wall / m.Wall:0.0}× faster) | {(double)m.ServerIamTotal / baseline.ServerIamTotal:0.00} ({(double)baseline.ServerIamTotal / m.ServerIamTotal:0.0}× fewer) | "));
            md.AppendLine(F($"{m.Floor.TotalSeconds:0.00} | {m.CpuFloor.TotalSeconds:0.00} | {Ratio(m.FloorRatio)} | {Ratio(m.BindingFloorRatio)} | {Check(m)} |"));
        }

        return md.ToString();
    }

    public static string TargetTable(IReadOnlyList<TargetCheck> targets)
    {
        var md = new StringBuilder();
        Line(md, $"| Target | Measured | Threshold | Result | Margin | Note |");
        Line(md, $"|---|---|---|---|--:|---|");
        foreach (var t in targets)
        {
            Line(md, $"| {t.Target} | {t.Measured} | {t.Threshold} | **{t.Result}** | {t.Margin} | {t.Note} |");
        }

        return md.ToString();
    }

    private static void Method(StringBuilder md, BenchmarkArguments arguments)
    {
        Line(md, $"## What is measured");
        Line(md);
        Line(md, $"Each configuration runs three modes in the same process, one after the other, each against a **fresh emulator** (full token buckets, no credential report yet, zeroed counters) and a fresh set of production services (new STS sessions, new IAM clients):");
        Line(md);
        Line(md, $"1. **Baseline**: the seed's Lambda (`query_iam_users` → per user `query_access_keys` → per key `get_access_key_last_used`) re-implemented on our `IamClient`, so only the algorithm differs: one account at a time, one call at a time, boto3's paginator (no `MaxItems`, pages of 100), the same SigV4, HTTP stack and retry policy as ours. It never reads the credential report, so it cannot see root keys; it is checked against the user keys only.");
        Line(md, $"2. **Ours, live**: `ReportJob.RunAsync` → `AccountCollector` in live mode (`GetAccessKeyLastUsed` per key, credential report alongside for password/MFA and root keys), production concurrency defaults.");
        Line(md, $"3. **Ours, report**: the same job in report mode (last use from the credential report, `ListAccessKeys` only for users the report shows with keys).");
        Line(md);
        Line(md, $"The emulator (`AwsEmulatorServer` on 127.0.0.1, scenario from `ScenarioGenerator`, seed 1) adds the configured latency to every call — throttled answers included — and runs a token bucket per account over IAM calls that answers HTTP 400 `Throttling` when empty. STS calls are not rate limited.");
        Line(md);
        Line(md, $"- **Wall s**: from the first STS call to the last record serialized (sessions, collection, findings, serialization for delivery). Our modes run {arguments.Repeat} time(s) each (`--repeat`), because their wall time varies with the jittered retry backoff; the row shows the run with the median wall time, each memory column's median over the runs, and **Wall range s** the fastest and slowest. The baseline is sequential, never throttled, and runs once. Every run is checked.");
        Line(md, $"- **CPU s**: processor time of the whole process during the run (our code and the in-process emulator, both sides of every call); compare with Wall s × cores to see whether the machine, not the rate limit, was the bottleneck.");
        Line(md, $"- **IAM calls** and the per-operation columns are counted **by the emulator** (every attempt, throttled ones included). The IAM clients' own counters are cross-checked against them (calls per operation and throttled answers); **Check** fails if they disagree. **Retries** are the clients' retried attempts.");
        Line(md, $"- **Peak MB**: the highest managed heap seen, garbage included (`GC.GetTotalMemory(false)` sampled every 5 ms on a background thread, and the heap size after each collection from `GC.GetGCMemoryInfo()`) — the whole process, the in-process emulator included. Once a run has allocated more than the GC's generation-0 budget, this is mostly garbage waiting for the next collection, so it tracks the GC's budget on this machine rather than the data. **Retained MB**: the highest heap size right after a collection (what a collection left; after an ephemeral one, dead objects already in generation 2 still count). **Kept MB**: the heap after a full compacting collection at the end of the run, while its records are still referenced, minus the heap after the same collection before the run (each mode starts from a settled heap): what the run keeps alive (mostly its records; differences of a MB or two either way are noise, such as pooled buffers the runtime trims or fills). The linear-growth target compares Retained MB, a conservative upper bound, between configurations 1 and 2. **Alloc MB**: bytes allocated during the run.");
        Line(md, $"- **Records** and **Bytes**: key records produced, and the UTF-8 JSON that would be posted to Log Analytics: for ours the key records and run summaries serialized with `ReportJsonContext` as JSON arrays (as the sinks send them, before compression); for the baseline the seed's `key_rec` objects (masked key ID, nine fields, compact JSON).");
        Line(md, $"- **Check**: the mode's record set equals the emulator's ground truth (`EmulatorScenario.ExpectedKeys()`): every key exactly once, none extra (user keys by account and full key ID, `KeyIdFormat` `Full`; root keys by account and slot), and user, slot, status, creation time and last use (time, region, service) equal. Report mode's last use comes from the credential report, live mode's from `GetAccessKeyLastUsed`. Any failure makes the program exit with code 1.");
        Line(md, $"- **Floor s** (rate-limit floor): the shortest wall time the token buckets allow for the fewest IAM calls the mode needs. For an account needing C calls with a bucket of capacity B refilled at R calls/s: max(0, C − B) / R, because at most B + R·t calls are admitted in t seconds; accounts have their own buckets and can run side by side, so the run's floor is the largest account floor. The burst B is part of the formula rather than set to 1: a real token bucket has a burst, and here B is one second of calls (`EmulatorRateLimit.PerSecond`). Minimum calls per account with N users, K user keys, W users with keys: baseline ⌈N/100⌉ + N + K; live ⌈N/1000⌉ + N + K + 3 (credential report: Generate STARTED, Generate COMPLETE, Get) + 1 (ListAccountAliases); report 3 + 1 + W. **Wall / floor** = Wall s ÷ Floor s.");
        Line(md, $"- **CPU floor s**: CPU s ÷ cores ({Environment.ProcessorCount} here), the shortest wall time the machine allows for the work the run did (both sides of every call: the emulator runs in the process). At hundreds of accounts the cores, not IAM's per-account limits, are the bound. **Wall / max floor** = Wall s ÷ the higher of the two floors, the issue-12 target. **Throttled %**: throttled attempts ÷ all IAM attempts.");
        Line(md, $"- **Time/Calls vs baseline**: ours ÷ baseline (and the inverse, as \"× faster\" / \"× fewer\").");
        Line(md);
    }

    private static void Settings(StringBuilder md, IReadOnlyDictionary<string, string> overrides)
    {
        var o = new CollectionOptions();
        Line(md, $"## Settings");
        Line(md);
        if (overrides.Count > 0)
        {
            Line(md, $"**Not the production defaults**: this run overrode {string.Join(", ", overrides.Select(p => $"`{p.Key}={p.Value}`"))} (`--set`).");
            Line(md);
        }

        Line(md, $"Production defaults of `IamKey:Collection`, used by our modes and (for retries) the baseline unless overridden above: MaxParallelAccounts {o.MaxParallelAccounts}, MaxConcurrentRequestsPerAccount {o.MaxConcurrentRequestsPerAccount} (the rate pacer's bound on requests in flight), MaxAttempts {o.MaxAttempts}, RetryBaseDelay {o.RetryBaseDelay.TotalMilliseconds:0} ms, RetryMaxDelay {o.RetryMaxDelay.TotalSeconds:0} s (full jitter), PageSize {o.PageSize}, RequestTimeout {o.RequestTimeout.TotalSeconds:0} s. Only `KeyIdFormat` is `Full` (to compare key IDs with the ground truth) and the endpoints point at the emulator.");
    }

    private static string Ratio(double ratio) => double.IsNaN(ratio) ? "—" : ratio.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Range(IReadOnlyList<TimeSpan> runs) => runs.Count < 2
        ? "—"
        : F($"{runs.Min().TotalSeconds:0.00}–{runs.Max().TotalSeconds:0.00}");

    private static bool Busy(string? loadAverage, int cores) =>
        loadAverage?.Split(' ')[0] is { } first && double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) && load > cores;

    private static string Minimum(ConfigResult result, BenchmarkMode mode) =>
        result.Modes.FirstOrDefault(m => m.Mode == mode) is { } m
            ? string.Join(" / ", m.MinimumCallsPerAccount.Distinct().Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))
            : "—";

    private static string Check(ModeResult m)
    {
        var parts = new List<string> { m.Verification.Describe() };
        if (!m.StatsAgree)
        {
            parts.Add(F($"client counted {m.Client.TotalCalls} calls / {m.Client.Throttled} throttled, emulator {m.ServerIamTotal} / {m.ServerThrottled}"));
        }

        if (m.Error is not null)
        {
            parts.Add(m.Error);
        }

        parts.AddRange(m.Verification.Samples);
        return string.Join("; ", parts).Replace("|", "\\|", StringComparison.Ordinal);
    }

    private static string Label(BenchmarkMode mode) => mode switch
    {
        BenchmarkMode.Baseline => "Baseline (seed)",
        BenchmarkMode.Live => "Ours, live",
        _ => "Ours, report",
    };

    private static void Line(StringBuilder md, FormattableString? text = null)
    {
        if (text is not null)
        {
            md.Append(text.ToString(CultureInfo.InvariantCulture));
        }

        md.Append('\n');
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
