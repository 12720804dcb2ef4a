namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// The pacing step of the signed request pipeline: every attempt holds a lease from <see cref="AcquireAsync"/> until its
/// answer and any backoff are done, and reports how it went. Today <see cref="AimdConcurrencyLimiter"/>; an adaptive rate
/// pacer can replace it without touching the pipeline.
/// </summary>
public interface IRequestPacer
{
    Task<IDisposable> AcquireAsync(CancellationToken cancellationToken);

    void OnSuccess(IDisposable lease);

    void OnThrottled(IDisposable lease);
}

/// <summary>No pacing at all (tests, single calls).</summary>
public sealed class UnpacedRequests : IRequestPacer
{
    public static readonly UnpacedRequests Instance = new();

    private UnpacedRequests()
    {
    }

    public Task<IDisposable> AcquireAsync(CancellationToken cancellationToken) => Task.FromResult<IDisposable>(NoLease.Instance);

    public void OnSuccess(IDisposable lease)
    {
    }

    public void OnThrottled(IDisposable lease)
    {
    }

    private sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose()
        {
        }
    }
}
