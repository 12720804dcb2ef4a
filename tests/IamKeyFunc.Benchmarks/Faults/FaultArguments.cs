using System.Globalization;

namespace IamKeyFunc.Benchmarks.Faults;

/// <summary>Command line of the fault-injection mode: <c>faults [--runs N] [--seed S] [--rate R] [--budget T] [--tight-budget T] [--accounts N] [--users N] [--output PATH]</c>.</summary>
internal sealed record FaultArguments(int Runs, int Seed, double Rate, TimeSpan Budget, TimeSpan? TightBudget, int Accounts, int Users, string? Output, IReadOnlyList<string> Raw)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/IamKeyFunc.Benchmarks -- faults [options]

        Runs one scenario N times per sink (Data Collector, Logs Ingestion), each against a fresh AWS emulator and fresh
        Azure fakes, with a seeded fault rate on every endpoint (STS, IAM, managed identity, Key Vault, Data Collector,
        Logs Ingestion); checks every run's delivery against the fake workspace and reports complete runs, exact
        shortfalls and violations.

          --runs N              runs per sink and budget (default 50)
          --seed S              first seed; run i uses S + i (default 21)
          --rate R              fault probability per request on every endpoint (default 0.6)
          --budget T            IamKey:Delivery:RunTimeBudget of the main runs (default 00:00:20)
          --tight-budget T      also run each scenario with this budget, to show the shortfall side (default 00:00:01; 0 for none)
          --accounts N          accounts in the organisation (default 4)
          --users N             users per account (default 15)
          --output PATH         write the results into PATH's "## Fault injection" section (e.g. docs/benchmarks.md)

        Exit code: 0 when no run has a violation and at least 90 % of the main runs are complete, 1 otherwise, 2 on bad arguments.
        """;

    public static FaultArguments Parse(IReadOnlyList<string> args)
    {
        var (runs, seed, rate, budget, tight, accounts, users) = (50, 21, 0.6, TimeSpan.FromSeconds(20), (TimeSpan?)TimeSpan.FromSeconds(1), 4, 15);
        string? output = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--runs":
                    runs = Whole(args, ref i, 1, 1000);
                    break;
                case "--seed":
                    seed = Whole(args, ref i, 0, int.MaxValue / 2);
                    break;
                case "--rate":
                    var text = Value(args, ref i);
                    rate = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r is >= 0 and < 1
                        ? r
                        : throw new ArgumentException($"--rate '{text}' must be a number from 0 to below 1.");
                    break;
                case "--budget":
                    budget = Duration(args, ref i) ?? throw new ArgumentException("--budget must be longer than 0.");
                    break;
                case "--tight-budget":
                    tight = Duration(args, ref i);
                    break;
                case "--accounts":
                    accounts = Whole(args, ref i, 1, 50);
                    break;
                case "--users":
                    users = Whole(args, ref i, 1, 500);
                    break;
                case "--output":
                    output = Value(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return new FaultArguments(runs, seed, rate, budget, tight, accounts, users, output, args);
    }

    /// <summary>The command that reproduces this run.</summary>
    public string Command => "dotnet run -c Release --project tests/IamKeyFunc.Benchmarks -- faults" + (Raw.Count > 0 ? " " + string.Join(' ', Raw) : "");

    private static int Whole(IReadOnlyList<string> args, ref int i, int min, int max)
    {
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{args[i - 1]} '{text}' must be a whole number from {min} to {max}.");
    }

    private static TimeSpan? Duration(IReadOnlyList<string> args, ref int i)
    {
        var text = Value(args, ref i);
        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < TimeSpan.Zero)
        {
            throw new ArgumentException($"{args[i - 1]} '{text}' must be a duration such as 00:00:20.");
        }

        return value == TimeSpan.Zero ? null : value;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
