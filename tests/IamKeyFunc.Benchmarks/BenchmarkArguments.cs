using System.Globalization;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// Command line: <c>[--quick] [--config N[,N…]] [--output PATH]</c>, or a custom configuration with any of
/// <c>--accounts --users --latency-ms --rate --burst --no-key --one-key --never-used --seed</c> (defaults: configuration 1).
/// </summary>
internal sealed record BenchmarkArguments(
    IReadOnlyList<BenchmarkConfig> Configs,
    IReadOnlyList<BenchmarkMode> Modes,
    int Repeat,
    bool Quick,
    string? Output,
    string? Notes,
    IReadOnlyDictionary<string, string> Overrides,
    IReadOnlyList<string> Raw)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/IamKeyFunc.Benchmarks -- [options]

          --quick                 tiny sizes, 2 ms latency, high limits: the CI smoke check (correctness only)
          --config N[,N...]       run only these standard configurations (1 to 5); default: all five
          --output PATH           also write the results as markdown to PATH (e.g. docs/benchmarks.md)
          --notes PATH            append this markdown file to the output under "Notes" (hand-written
                                  analysis, e.g. tests/IamKeyFunc.Benchmarks/notes.md)
          --set IamKey:X:Y=VALUE  override a setting for a tuning experiment (repeatable); the output says so.
                                  The published results use none: every knob at its production default.
          --repeat N              run each of our modes N times and report the median wall time
                                  (default 3; 1 with --quick); the baseline runs once
          --modes M[,M...]        run only these modes (baseline, live, report) for an experiment;
                                  targets need all three

        A custom configuration instead (unset values come from configuration 1):
          --accounts N  --users N  --latency-ms MS  --rate CALLS_PER_S  --burst N
          --no-key SHARE  --one-key SHARE  --never-used SHARE  --seed N

        Exit code: 0 when every mode's records equal the emulator's ground truth, 1 otherwise, 2 on bad arguments.
        """;

    private static readonly string[] CustomOptions =
        ["--accounts", "--users", "--latency-ms", "--rate", "--burst", "--no-key", "--one-key", "--never-used", "--seed"];

    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static BenchmarkArguments Parse(IReadOnlyList<string> args)
    {
        var quick = false;
        string? output = null;
        string? notes = null;
        var selected = new List<string>();
        var custom = new Dictionary<string, string>(StringComparer.Ordinal);
        var overrides = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var modes = new List<BenchmarkMode>();
        int? repeat = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--quick":
                    quick = true;
                    break;
                case "--output":
                    output = Value(args, ref i);
                    break;
                case "--notes":
                    notes = Value(args, ref i);
                    break;
                case "--set":
                    var setting = Value(args, ref i).Split('=', 2);
                    overrides[setting[0]] = setting.Length == 2 && setting[0].StartsWith("IamKey:", StringComparison.Ordinal)
                        ? setting[1]
                        : throw new ArgumentException($"--set {setting[0]}: expected IamKey:Section:Name=value.");
                    break;
                case "--modes":
                    modes.AddRange(Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(name => Enum.TryParse<BenchmarkMode>(name, ignoreCase: true, out var mode)
                            ? mode
                            : throw new ArgumentException($"--modes {name}: expected baseline, live or report.")));
                    break;
                case "--repeat":
                    var text = Value(args, ref i);
                    repeat = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var times) && times is >= 1 and <= 20
                        ? times
                        : throw new ArgumentException($"--repeat '{text}' must be a whole number from 1 to 20.");
                    break;
                case "--config":
                    selected.AddRange(Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case var _ when CustomOptions.Contains(arg):
                    custom[arg] = Value(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'.");
            }
        }

        if (custom.Count > 0 && (quick || selected.Count > 0))
        {
            throw new ArgumentException("A custom configuration cannot be combined with --quick or --config.");
        }

        IReadOnlyList<BenchmarkConfig> configs = custom.Count > 0 ? [Custom(custom)]
            : quick ? BenchmarkConfig.Quick
            : selected.Count == 0 ? BenchmarkConfig.Standard
            : [.. selected.Select(name => BenchmarkConfig.Standard.FirstOrDefault(c => c.Name == name)
                ?? throw new ArgumentException($"--config {name}: the standard configurations are 1 to 5."))];
        return new BenchmarkArguments(configs, modes.Count > 0 ? [.. modes.Distinct().Order()] : Enum.GetValues<BenchmarkMode>(), repeat ?? (quick ? 1 : 3), quick, output, notes, overrides, args);
    }

    /// <summary>The command that reproduces this run.</summary>
    public string Command => "dotnet run -c Release --project tests/IamKeyFunc.Benchmarks" + (Raw.Count > 0 ? " -- " + string.Join(' ', Raw) : "");

    private static BenchmarkConfig Custom(Dictionary<string, string> values)
    {
        var config = BenchmarkConfig.Standard[0] with { Name = "custom" };
        var rate = Number(values, "--rate", config.CallsPerSecond);
        config = config with
        {
            Accounts = (int)Number(values, "--accounts", config.Accounts),
            UsersPerAccount = (int)Number(values, "--users", config.UsersPerAccount),
            Latency = TimeSpan.FromMilliseconds(Number(values, "--latency-ms", config.Latency.TotalMilliseconds)),
            CallsPerSecond = rate,
            Burst = (int)Number(values, "--burst", Math.Max(1, Math.Ceiling(rate))),
            NoKeyShare = Number(values, "--no-key", config.NoKeyShare),
            OneKeyShare = Number(values, "--one-key", config.OneKeyShare),
            NeverUsedKeyShare = Number(values, "--never-used", config.NeverUsedKeyShare),
            Seed = (int)Number(values, "--seed", config.Seed),
        };
        if (config.Accounts < 1 || config.CallsPerSecond <= 0 || config.Burst < 1)
        {
            throw new ArgumentException("--accounts, --rate and --burst must be at least 1.");
        }

        return config.NoKeyShare + config.OneKeyShare <= 1 && config.NeverUsedKeyShare <= 1
            ? config
            : throw new ArgumentException("--no-key + --one-key must not exceed 1, nor --never-used.");
    }

    private static double Number(Dictionary<string, string> values, string option, double fallback)
    {
        if (!values.TryGetValue(option, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"{option} '{text}' is not a non-negative number.");
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
