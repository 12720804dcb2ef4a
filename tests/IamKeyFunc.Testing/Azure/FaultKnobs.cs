using System.Collections.Concurrent;

namespace IamKeyFunc.Testing.Azure;

/// <summary>
/// One scripted answer: wait <see cref="Delay"/>, then (when <see cref="Status"/> is not 0) answer with that status instead
/// of serving the request, adding <see cref="Header"/> verbatim when set (e.g. a malformed <c>retry-after-ms</c>).
/// </summary>
/// <param name="Echo">When set, the error message quotes this of the request's credential (the <c>Authorization</c> header's
/// signature or bearer token): what a hostile or broken service echoes back.</param>
public sealed record Fault(int Status, int? RetryAfterSeconds, TimeSpan Delay, (string Name, string Value)? Header = null, Func<string, string>? Echo = null)
{
    /// <summary>The fault's error message for a request whose credential is <paramref name="credential"/>.</summary>
    public string MessageFor(string credential) => Echo is null ? "Injected fault." : $"Rejected the request near '{Echo(credential)}'.";
}

/// <summary>What a fake knows of a request when it decides on a fault: the table (Data Collector <c>Log-Type</c>, Logs
/// Ingestion stream; null for other services) and the body as text (decompressed).</summary>
public sealed record FaultRequest(string? Table, Func<string> Body);

/// <summary>
/// Scripted faults shared by the Azure fakes: the next requests fail with a status (429 with <c>Retry-After</c>,
/// 500, 503, …) or are slow. Faults are consumed in order, one per request. Besides the queue: faults for the requests
/// that match a condition (<see cref="FailMatching"/>, e.g. one table, one account's rows), and a seeded random fault
/// rate (<see cref="FailRandomly"/>), in that order of precedence after the queue.
/// </summary>
public sealed class FaultKnobs
{
    private readonly ConcurrentQueue<Fault> _queue = new();
    private readonly Lock _gate = new();
    private readonly List<MatchingRule> _matching = [];
    private RandomRule? _random;
    private int _injected;

    /// <summary>Added to every response (a slow service).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Scripted faults served so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <summary>Faults still waiting for a request.</summary>
    public int Pending => _queue.Count;

    /// <summary>The next <paramref name="count"/> requests get <paramref name="status"/> (with <c>Retry-After</c> when given).</summary>
    public FaultKnobs FailNext(int status, int count = 1, int? retryAfterSeconds = null)
    {
        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(new Fault(status, retryAfterSeconds, TimeSpan.Zero));
        }

        return this;
    }

    /// <summary>The next <paramref name="count"/> requests get <paramref name="status"/> with the raw header <paramref name="name"/>: <paramref name="value"/>.</summary>
    public FaultKnobs FailNextWithHeader(int status, string name, string value, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(new Fault(status, null, TimeSpan.Zero, (name, value)));
        }

        return this;
    }

    /// <summary>The next <paramref name="count"/> requests get <paramref name="status"/> with a message quoting <paramref name="echo"/> of their credential.</summary>
    public FaultKnobs FailNextEchoingCredential(int status, Func<string, string> echo, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(new Fault(status, null, TimeSpan.Zero, Echo: echo));
        }

        return this;
    }

    /// <summary>The next <paramref name="count"/> requests are answered normally, after <paramref name="delay"/>.</summary>
    public FaultKnobs SlowNext(TimeSpan delay, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(new Fault(0, null, delay));
        }

        return this;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests that match <paramref name="match"/> get <paramref name="status"/> (all
    /// of them with <see cref="int.MaxValue"/>: an outage of what matches, until <see cref="Clear"/>).
    /// </summary>
    public FaultKnobs FailMatching(Func<FaultRequest, bool> match, int status, int count = 1, int? retryAfterSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            _matching.Add(new MatchingRule(match, new Fault(status, retryAfterSeconds, TimeSpan.Zero), count));
        }

        return this;
    }

    /// <summary>
    /// Each request not answered by the queue or a matching rule fails with this probability (seeded, so runs repeat),
    /// with one of <paramref name="statuses"/> picked at random; a 429 carries <c>Retry-After: 1</c>.
    /// </summary>
    public FaultKnobs FailRandomly(double probability, int seed, params int[] statuses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        ArgumentOutOfRangeException.ThrowIfZero(statuses.Length);
        lock (_gate)
        {
            _random = new RandomRule(probability, new Random(seed), [.. statuses.Select(s => new Fault(s, s == 429 ? 1 : null, TimeSpan.Zero))]);
        }

        return this;
    }

    /// <summary>Requests a matching rule failed so far, of every rule.</summary>
    public int MatchedFaults { get; private set; }

    /// <summary>Requests the random rate failed so far.</summary>
    public int RandomFaults { get; private set; }

    public void Clear()
    {
        _queue.Clear();
        lock (_gate)
        {
            _matching.Clear();
            _random = null;
        }
    }

    /// <summary>Takes the next fault and waits out its delay (and <see cref="Latency"/>); null when the request is to be served.</summary>
    internal async Task<Fault?> ApplyAsync(CancellationToken requestAborted, FaultRequest? request = null)
    {
        var fault = _queue.TryDequeue(out var next) ? next : Decide(request);
        if (fault is not null)
        {
            Interlocked.Increment(ref _injected);
        }

        var delay = Latency + (fault?.Delay ?? TimeSpan.Zero);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, requestAborted);
        }

        return fault is { Status: > 0 } ? fault : null;
    }

    private Fault? Decide(FaultRequest? request)
    {
        lock (_gate)
        {
            foreach (var rule in _matching)
            {
                if (request is not null && rule.Remaining > 0 && rule.Match(request))
                {
                    rule.Remaining--;
                    MatchedFaults++;
                    return rule.Fault;
                }
            }

            if (_random is { } random && random.Random.NextDouble() < random.Probability)
            {
                RandomFaults++;
                return random.Faults[random.Random.Next(random.Faults.Length)];
            }
        }

        return null;
    }

    private sealed class MatchingRule(Func<FaultRequest, bool> match, Fault fault, int remaining)
    {
        public Func<FaultRequest, bool> Match { get; } = match;

        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }

    private sealed record RandomRule(double Probability, Random Random, Fault[] Faults);
}
