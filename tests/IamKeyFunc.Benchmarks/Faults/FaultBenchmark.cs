using System.Diagnostics;
using System.Globalization;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Benchmarks.Faults;

/// <summary>The <c>faults</c> mode of the benchmark program: see <see cref="FaultArguments.Usage"/>.</summary>
internal static class FaultBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(FaultArguments.Usage);
            return 0;
        }

        FaultArguments arguments;
        try
        {
            arguments = FaultArguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(FaultArguments.Usage);
            return 2;
        }

        var machine = MachineInfo.Read();
        var started = TimeProvider.System.GetUtcNow();
        var total = Stopwatch.StartNew();
        Console.WriteLine($"IamKeyFunc fault injection: {machine.Describe()}; {arguments.Runs} runs per sink and budget, {arguments.Rate:P0} faults, first seed {arguments.Seed}");
        var runs = new List<FaultRunResult>();
        TimeSpan[] budgets = arguments.TightBudget is { } tight ? [arguments.Budget, tight] : [arguments.Budget];
        foreach (var budget in budgets)
        {
            foreach (var sink in (SinkMode[])[SinkMode.DataCollector, SinkMode.LogsIngestion])
            {
                for (var i = 0; i < arguments.Runs; i++)
                {
                    var run = await FaultRun.RunAsync(arguments, sink, arguments.Seed + i, budget, cancellationToken);
                    runs.Add(run);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {sink,-13} budget {budget.TotalSeconds,4:0.#} s seed {run.Seed,4}: {(run.Complete ? "complete" : run.Violation is null ? "exact shortfall" : "VIOLATION")} " +
                        $"{run.Status,-18} {run.Duration.TotalSeconds,6:0.00} s  keys {run.Keys - run.KeysMissing}/{run.Keys}  events {run.Events - run.EventsMissing}/{run.Events}  " +
                        $"summaries {run.Summaries - run.SummariesMissing}/{run.Summaries}  {run.BatchesRecovered} recovered in {run.RecoveryRounds} rounds  {run.FaultsInjected} faults{(run.Violation is null ? "" : "  " + run.Violation)}"));
                }
            }
        }

        total.Stop();
        var section = FaultReport.Section(arguments, machine, started, total.Elapsed, runs);
        Console.WriteLine();
        Console.Write(section);
        if (arguments.Output is { } output)
        {
            var existing = File.Exists(output) ? await File.ReadAllTextAsync(output, cancellationToken) : "# Benchmarks\n";
            await File.WriteAllTextAsync(output, FaultReport.Replace(existing, section), cancellationToken);
            Console.WriteLine($"Wrote the fault-injection section of {output}");
        }

        var main = runs.Where(r => r.Budget == arguments.Budget).ToList();
        var passed = runs.All(r => r.Violation is null) && main.Count(r => r.Complete) >= 0.9 * main.Count;
        Console.WriteLine(passed ? "Fault injection: targets met." : "Fault injection: targets MISSED (a violation, or fewer than 90 % of the main runs complete).");
        return passed ? 0 : 1;
    }
}
