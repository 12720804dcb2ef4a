using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace IamKeyFunc.AwsEmulator;

/// <summary>What the emulator has seen: calls per operation and per account, throttled answers, rejected signatures.</summary>
public sealed class EmulatorStats
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _byOperation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _byAccount = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Account, string Operation), StrongBox<long>> _byAccountOperation = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _errors = new(StringComparer.Ordinal);
    private long _total;
    private long _throttled;
    private long _rejectedSignatures;
    private long _faults;
    private int _inFlight;
    private int _peakInFlight;

    /// <summary>Every request received, answered or not.</summary>
    public long TotalCalls => Interlocked.Read(ref _total);

    /// <summary>Answers with HTTP 400 <c>Throttling</c> from the rate limiter.</summary>
    public long ThrottledResponses => Interlocked.Read(ref _throttled);

    /// <summary>Requests refused by authentication (bad or expired signature, unknown key or session token).</summary>
    public long RejectedSignatures => Interlocked.Read(ref _rejectedSignatures);

    /// <summary>Calls answered by <see cref="EmulatorFaults"/>.</summary>
    public long InjectedFaults => Interlocked.Read(ref _faults);

    /// <summary>Most requests being handled at the same time.</summary>
    public int PeakConcurrentRequests => Volatile.Read(ref _peakInFlight);

    /// <summary>Calls per operation (<c>Action</c>), including rejected ones.</summary>
    public IReadOnlyDictionary<string, long> CallsByOperation => Snapshot(_byOperation);

    /// <summary>Calls per account: IAM calls by the account the session acts on, STS calls by the role's account.</summary>
    public IReadOnlyDictionary<string, long> CallsByAccount => Snapshot(_byAccount);

    /// <summary>Error answers per error code (throttling, faults and real errors alike).</summary>
    public IReadOnlyDictionary<string, long> ErrorsByCode => Snapshot(_errors);

    public long Calls(string operation) => _byOperation.TryGetValue(operation, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public long CallsForAccount(string accountId) => _byAccount.TryGetValue(accountId, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public long Calls(string accountId, string operation) =>
        _byAccountOperation.TryGetValue((accountId, operation), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public void Reset()
    {
        _byOperation.Clear();
        _byAccount.Clear();
        _byAccountOperation.Clear();
        _errors.Clear();
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _throttled, 0);
        Interlocked.Exchange(ref _rejectedSignatures, 0);
        Interlocked.Exchange(ref _faults, 0);
        Interlocked.Exchange(ref _peakInFlight, Volatile.Read(ref _inFlight));
    }

    public override string ToString() =>
        $"{TotalCalls} calls ({string.Join(", ", CallsByOperation.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}), " +
        $"{ThrottledResponses} throttled, {RejectedSignatures} rejected signatures, {InjectedFaults} injected faults";

    internal void Received(string operation)
    {
        Interlocked.Increment(ref _total);
        Increment(_byOperation, operation);
    }

    internal void ForAccount(string accountId, string operation)
    {
        Increment(_byAccount, accountId);
        Increment(_byAccountOperation, (accountId, operation));
    }

    internal void Error(string code) => Increment(_errors, code);

    internal void Throttled() => Interlocked.Increment(ref _throttled);

    internal void RejectedSignature() => Interlocked.Increment(ref _rejectedSignatures);

    internal void Fault() => Interlocked.Increment(ref _faults);

    internal void Enter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
        {
        }
    }

    internal void Exit() => Interlocked.Decrement(ref _inFlight);

    private static void Increment<TKey>(ConcurrentDictionary<TKey, StrongBox<long>> map, TKey key)
        where TKey : notnull =>
        Interlocked.Increment(ref map.GetOrAdd(key, static _ => new StrongBox<long>()).Value);

    private static Dictionary<string, long> Snapshot(ConcurrentDictionary<string, StrongBox<long>> map) =>
        map.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal);
}
