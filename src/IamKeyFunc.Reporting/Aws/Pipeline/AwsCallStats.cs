using System.Collections.Concurrent;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>Thread-safe counters of one AWS service client (IAM, Organizations): HTTP calls per action, throttled responses, retries.</summary>
public sealed class AwsCallStats
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private long _throttledResponses;
    private long _retries;
    private long _credentialRefreshes;

    /// <summary>HTTP requests sent per IAM action (every attempt counts).</summary>
    public IReadOnlyDictionary<string, long> ApiCalls => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    public long TotalApiCalls => _calls.Values.Sum();

    /// <summary>Responses with a throttling code (<c>Throttling</c>, ...) or HTTP 429.</summary>
    public long ThrottledResponses => Interlocked.Read(ref _throttledResponses);

    /// <summary>Attempts made after a failed one (throttling, 5xx, timeouts, connection faults, expired token).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Times an <c>ExpiredToken</c> answer made us ask the credentials to refresh.</summary>
    public long CredentialRefreshes => Interlocked.Read(ref _credentialRefreshes);

    internal void RecordCall(string action) => _calls.AddOrUpdate(action, 1, (_, n) => n + 1);

    internal void RecordThrottled() => Interlocked.Increment(ref _throttledResponses);

    internal void RecordRetry() => Interlocked.Increment(ref _retries);

    internal void RecordCredentialRefresh() => Interlocked.Increment(ref _credentialRefreshes);

    public override string ToString() =>
        $"AwsCallStats {{ ApiCalls = {TotalApiCalls}, Throttled = {ThrottledResponses}, Retries = {Retries} }}";
}
