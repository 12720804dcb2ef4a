using IamKeyFunc.Testing.Aws;
using System.Diagnostics;
using System.Globalization;
using IamKeyFunc.Benchmarks;
using IamKeyFunc.Benchmarks.Faults;

// Collection cost and speed against the seed's algorithm (issue 6). See docs/benchmarks.md and BenchmarkArguments.Usage.
// "faults": the recovery pass under a fault rate on every endpoint (issue 21), FaultArguments.Usage.
if (args is ["faults", .. var faultArgs])
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await FaultBenchmark.RunAsync(faultArgs, stop.Token);
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchmarkArguments.Usage);
    return 0;
}

BenchmarkArguments arguments;
try
{
    arguments = BenchmarkArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkArguments.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var machine = MachineInfo.Read();
var started = TimeProvider.System.GetUtcNow();
var total = Stopwatch.StartNew();
Console.WriteLine($"IamKeyFunc benchmark: {machine.Describe()}; load average {machine.LoadAverage ?? "n/a"}");
if (arguments.Overrides.Count > 0)
{
    Console.WriteLine($"Tuning experiment, not the production defaults: {string.Join(", ", arguments.Overrides.Select(p => $"{p.Key}={p.Value}"))}");
}

// Warm-up, not reported: JIT, connection and serializer set-up would otherwise be charged to whichever mode runs first.
foreach (var mode in Enum.GetValues<BenchmarkMode>())
{
    var warmUp = BenchmarkConfig.Quick[^1] with { Latency = TimeSpan.Zero };
    _ = await ModeRunner.RunAsync(warmUp, warmUp.CreateScenario(TimeProvider.System.GetUtcNow()), mode, arguments.Overrides, cancel.Token);
}

var results = new List<ConfigResult>();
foreach (var config in arguments.Configs)
{
    var scenario = config.CreateScenario(TimeProvider.System.GetUtcNow());
    var truth = scenario.ExpectedKeys();
    if (GroundTruth.SelfCheck(truth) is { } broken)
    {
        Console.Error.WriteLine($"The ground-truth check itself is broken: {broken}.");
        return 1;
    }

    Console.WriteLine();
    Console.WriteLine($"== {config.Name}: {config.Describe()}");
    var modes = new List<ModeResult>();
    foreach (var mode in arguments.Modes.Where(m => m != BenchmarkMode.Baseline || config.Baseline))
    {
        // Our modes' wall times vary with the jittered retry backoff: repeat them and report the median run (or a failed
        // one), with each memory figure's median over the runs.
        var runs = new List<ModeResult>();
        for (var run = 0; run < (mode == BenchmarkMode.Baseline ? 1 : arguments.Repeat); run++)
        {
            var result = await ModeRunner.RunAsync(config, scenario, mode, arguments.Overrides, cancel.Token);
            runs.Add(result);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"   {mode,-8} {result.Wall.TotalSeconds,8:0.00} s  {result.ServerIamTotal,6} IAM calls  {result.ServerThrottled,5} throttled  " +
                $"peak {result.PeakMegabytes,6:0.0} MB (retained {result.RetainedMegabytes,5:0.0})  {result.Records,5} records  floor {result.Floor.TotalSeconds:0.00} s  {result.Verification.Describe()}" +
                $"  {result.ServerPeakConcurrency} in flight at most{(result.StatsAgree ? "" : "  STATS DISAGREE")}{(result.Error is null ? "" : "  " + result.Error)}"));
        }

        var failedRun = runs.FirstOrDefault(r => !r.Passed);
        var representative = failedRun ?? runs.OrderBy(r => r.Wall).ElementAt(runs.Count / 2);
        modes.Add(representative with
        {
            WallRuns = [.. runs.Select(r => r.Wall)],
            Memory = failedRun?.Memory ?? MemoryUse.Median([.. runs.Select(r => r.Memory)]),
        });
    }

    var configResult = new ConfigResult(
        config, scenario.Accounts.Sum(a => a.Users.Count), truth.Count(k => !k.IsRoot), truth.Count(k => k.IsRoot), modes);
    results.Add(configResult);
    Console.WriteLine();
    Console.Write(MarkdownReport.Configuration(configResult));
}

total.Stop();
var targets = arguments.Quick ? [] : Targets.Evaluate(results);
if (targets.Count > 0)
{
    Console.WriteLine();
    Console.Write(MarkdownReport.TargetTable(targets));
}

if (arguments.Output is { } output)
{
    var notes = arguments.Notes is { } notesPath ? await File.ReadAllTextAsync(notesPath) : null;
    var document = MarkdownReport.Document(arguments, machine, MachineInfo.LoadAverageNow(), started, total.Elapsed, results, targets, notes);
    if (File.Exists(output) && FaultReport.Extract(await File.ReadAllTextAsync(output)) is { } faultSection)
    {
        // The fault-injection section comes from the "faults" mode; keep it.
        document = FaultReport.Replace(document, faultSection);
    }

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, document);
    Console.WriteLine($"Wrote {output}");
}

var failed = results.SelectMany(r => r.Modes.Select(m => (r.Config.Name, m))).Where(x => !x.m.Passed).ToList();
foreach (var (name, mode) in failed)
{
    Console.Error.WriteLine($"FAILED: configuration {name}, {mode.Mode}: {mode.Verification.Describe()} {string.Join("; ", mode.Verification.Samples)} {mode.Error}");
}

Console.WriteLine(failed.Count == 0 ? $"All record sets match the ground truth ({total.Elapsed.TotalSeconds:0.0} s)." : $"{failed.Count} run(s) failed.");
return failed.Count == 0 ? 0 : 1;
