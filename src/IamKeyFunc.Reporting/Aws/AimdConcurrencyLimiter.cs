using IamKeyFunc.Reporting.Aws.Pipeline;

namespace IamKeyFunc.Reporting.Aws;

/// <summary>
/// Additive-increase/multiplicative-decrease bound on requests in flight: starts at the maximum, halves when
/// a request is throttled (once per "window": throttles of requests admitted before the last cut do not cut
/// again), and grows by one after <c>limit</c> consecutive successes. Never below 1. Waiters are served FIFO.
/// </summary>
internal sealed class AimdConcurrencyLimiter : IRequestPacer
{
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource<Lease>> _waiters = new();
    private readonly int _max;
    private int _limit;
    private int _inFlight;
    private int _successes;
    private long _generation;

    public AimdConcurrencyLimiter(int maxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _max = maxConcurrency;
        _limit = maxConcurrency;
    }

    public int Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    public Task<Lease> AcquireAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<Lease> waiter;
        LinkedListNode<TaskCompletionSource<Lease>> node;
        lock (_gate)
        {
            if (_inFlight < _limit && _waiters.Count == 0)
            {
                _inFlight++;
                return Task.FromResult(new Lease(this, _generation));
            }

            waiter = new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        return WaitAsync(waiter, node, cancellationToken);
    }

    async Task<IDisposable> IRequestPacer.AcquireAsync(CancellationToken cancellationToken) =>
        await AcquireAsync(cancellationToken).ConfigureAwait(false);

    void IRequestPacer.OnSuccess(IDisposable lease) => OnSuccess();

    void IRequestPacer.OnThrottled(IDisposable lease) => OnThrottled((Lease)lease);

    /// <summary>A request finished without being throttled.</summary>
    public void OnSuccess()
    {
        lock (_gate)
        {
            if (++_successes >= _limit && _limit < _max)
            {
                _limit++;
                _successes = 0;
                ServeWaiters();
            }
        }
    }

    /// <summary>The request holding <paramref name="lease"/> was throttled.</summary>
    public void OnThrottled(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            _successes = 0;
            if (lease.Generation == _generation)
            {
                _limit = Math.Max(1, _limit / 2);
                _generation++;
            }
        }
    }

    private async Task<Lease> WaitAsync(TaskCompletionSource<Lease> waiter, LinkedListNode<TaskCompletionSource<Lease>> node, CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    waiter.TrySetCanceled(cancellationToken);
                }
            }
        });
        return await waiter.Task.ConfigureAwait(false);
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            ServeWaiters();
        }
    }

    // Called under _gate.
    private void ServeWaiters()
    {
        while (_inFlight < _limit && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _inFlight++;
            first.Value.TrySetResult(new Lease(this, _generation));
        }
    }

    /// <summary>One admitted request; dispose to free the slot.</summary>
    internal sealed class Lease(AimdConcurrencyLimiter owner, long generation) : IDisposable
    {
        private int _disposed;

        public long Generation { get; } = generation;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
