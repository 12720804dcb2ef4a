namespace IamKeyFunc.AwsEmulator;

/// <summary>
/// Failure injection, evaluated after authentication and rate limiting, before the operation runs. Rules apply to one
/// operation (or <c>*</c> for any) and optionally one account; the first matching rule wins. Thread-safe; may be
/// changed while the server runs.
/// </summary>
public sealed class EmulatorFaults
{
    public const string AnyOperation = "*";

    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];
    private volatile int _count;

    /// <summary>Answers the next <paramref name="count"/> matching calls with an error.</summary>
    public void FailNext(string operation, int count, string errorCode, int statusCode, string? message = null, string? accountId = null) =>
        Add(new Rule(operation, accountId, count, 0, null, new InjectedFault(errorCode, statusCode, message ?? errorCode, Abort: false)));

    /// <summary>Answers each matching call with an error with the given probability (seeded, so runs repeat).</summary>
    public void FailRandomly(string operation, double probability, string errorCode, int statusCode, string? message = null, int seed = 1, string? accountId = null) =>
        Add(new Rule(operation, accountId, int.MaxValue, probability, new Random(seed), new InjectedFault(errorCode, statusCode, message ?? errorCode, Abort: false)));

    /// <summary>Aborts the connection of the next <paramref name="count"/> matching calls without an answer.</summary>
    public void AbortNext(string operation, int count, string? accountId = null) =>
        Add(new Rule(operation, accountId, count, 0, null, new InjectedFault("", 0, "", Abort: true)));

    /// <summary>Aborts the connection of each matching call with the given probability.</summary>
    public void AbortRandomly(string operation, double probability, int seed = 1, string? accountId = null) =>
        Add(new Rule(operation, accountId, int.MaxValue, probability, new Random(seed), new InjectedFault("", 0, "", Abort: true)));

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _count = 0;
        }
    }

    internal InjectedFault? Next(string operation, string? accountId)
    {
        if (_count == 0)
        {
            return null;
        }

        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (!rule.Matches(operation, accountId))
                {
                    continue;
                }

                if (rule.Random is { } random)
                {
                    if (random.NextDouble() < rule.Probability)
                    {
                        return rule.Fault;
                    }

                    continue;
                }

                if (--rule.Remaining <= 0)
                {
                    _rules.Remove(rule);
                    _count = _rules.Count;
                }

                return rule.Fault;
            }
        }

        return null;
    }

    private void Add(Rule rule)
    {
        ArgumentException.ThrowIfNullOrEmpty(rule.Operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(rule.Remaining, 1);
        lock (_gate)
        {
            _rules.Add(rule);
            _count = _rules.Count;
        }
    }

    private sealed class Rule(string operation, string? accountId, int remaining, double probability, Random? random, InjectedFault fault)
    {
        public string Operation { get; } = operation;

        public string? AccountId { get; } = accountId;

        public int Remaining { get; set; } = remaining;

        public double Probability { get; } = probability;

        public Random? Random { get; } = random;

        public InjectedFault Fault { get; } = fault;

        public bool Matches(string operation, string? accountId) =>
            (Operation == AnyOperation || string.Equals(Operation, operation, StringComparison.Ordinal))
            && (AccountId is null || string.Equals(AccountId, accountId, StringComparison.Ordinal));
    }
}

internal sealed record InjectedFault(string Code, int StatusCode, string Message, bool Abort);
