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

/// <summary>
/// Scripted faults shared by the Azure fakes: the next requests fail with a status (429 with <c>Retry-After</c>,
/// 500, 503, …) or are slow. Faults are consumed in order, one per request.
/// </summary>
public sealed class FaultKnobs
{
    private readonly ConcurrentQueue<Fault> _queue = new();
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

    public void Clear() => _queue.Clear();

    /// <summary>Takes the next fault and waits out its delay (and <see cref="Latency"/>); null when the request is to be served.</summary>
    internal async Task<Fault?> ApplyAsync(CancellationToken requestAborted)
    {
        var fault = _queue.TryDequeue(out var next) ? next : null;
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
}
