namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// Paces one account's requests at a send rate learned from throttling, after the AWS SDKs' "adaptive" retry mode:
/// a token bucket whose fill rate drops to <see cref="Beta"/> × the measured admitted rate when the service throttles
/// (once per window: throttles of requests admitted before the last cut do not cut again) and grows back along a
/// CUBIC curve scaled to that rate (back at it in about a second, then probing above), never above twice the measured
/// rate nor, after a pause, below the last rate known to pass. Until the first throttle there is no rate limit (the
/// start costs nothing when the service is not throttling), and the first cut is seeded from the admitted rate actually
/// measured over the last second, so the pacer starts at the service's real rate instead of climbing to it from a
/// guess; throttles with too few answers in that second to measure a rate are left to the request's backoff. Requests in flight
/// stay bounded by <c>maxInFlight</c> as a safety net. Waiters are served in arrival order.
/// </summary>
public sealed class AdaptiveRatePacer : IRequestPacer
{
    /// <summary>Multiplicative decrease on a throttle.</summary>
    internal const double Beta = 0.9;

    /// <summary>CUBIC scale, in calls/s per s³, multiplied by the last maximum rate (so growth is relative).</summary>
    internal const double RelativeScale = 0.1;

    /// <summary>Never paced below this, in calls/s.</summary>
    internal const double MinRate = 0.5;

    /// <summary>The window over which the admitted rate is measured.</summary>
    internal static readonly TimeSpan MeasureWindow = TimeSpan.FromSeconds(1);

    /// <summary>Fewer admitted requests than this in the window say nothing about the service's rate.</summary>
    internal const int MinSamples = 5;

    private const int Slots = 10;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly TimeProvider _time;
    private readonly long[] _slotCounts = new long[Slots];
    private readonly long _start;
    private long _slotIndex;
    private bool _enabled;
    private double _fillRate;
    private double _lastMaxRate;
    private double _window;
    private long _lastThrottle;
    private double _tokens;
    private long _lastRefill;
    private long _generation;

    public AdaptiveRatePacer(int maxInFlight, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        _time = timeProvider;
        _start = timeProvider.GetTimestamp();
    }

    /// <summary>The current send rate in calls/s, or <see langword="null"/> while unlimited (no throttle yet).</summary>
    public double? Rate
    {
        get
        {
            lock (_gate)
            {
                return _enabled ? _fillRate : null;
            }
        }
    }

    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (TakeToken() is { } wait)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }

                return new Lease(this, CurrentGeneration());
            }
            finally
            {
                _turnstile.Release();
            }
        }
        catch
        {
            _inFlight.Release();
            throw;
        }
    }

    public void OnSuccess(IDisposable lease)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Count(now);
            if (_enabled)
            {
                var t = _time.GetElapsedTime(_lastThrottle, now).TotalSeconds;
                var cubic = (RelativeScale * _lastMaxRate * Math.Pow(t - _window, 3)) + _lastMaxRate;
                var (measured, samples) = Measure(now);
                var ceiling = samples >= MinSamples ? Math.Max(_lastMaxRate, 2 * measured) : Math.Max(_lastMaxRate, _fillRate);
                _fillRate = Math.Max(MinRate, Math.Min(cubic, ceiling));
            }
        }
    }

    public void OnThrottled(IDisposable lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (((Lease)lease).Generation != _generation)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var (measured, samples) = Measure(now);
            if (samples < MinSamples)
            {
                // Too few answers to tell the service's rate (the first requests, or after a pause): the throttled
                // request's backoff alone slows the account, rather than a rate guessed from one or two answers.
                return;
            }

            _generation++;
            var rate = _enabled ? Math.Min(measured, _fillRate) : measured;
            _lastMaxRate = Math.Max(MinRate, rate);
            _window = Math.Cbrt((1 - Beta) / RelativeScale);
            _lastThrottle = now;
            _fillRate = Math.Max(MinRate, _lastMaxRate * Beta);
            if (!_enabled)
            {
                _tokens = 0;
                _lastRefill = now;
                _enabled = true;
            }
        }
    }

    private long CurrentGeneration()
    {
        lock (_gate)
        {
            return _generation;
        }
    }

    /// <summary>Takes a token, or says how long until one is due.</summary>
    private TimeSpan? TakeToken()
    {
        lock (_gate)
        {
            if (!_enabled)
            {
                return null;
            }

            var now = _time.GetTimestamp();
            _tokens = Math.Min(Math.Max(1, _fillRate / 10), _tokens + (_time.GetElapsedTime(_lastRefill, now).TotalSeconds * _fillRate));
            _lastRefill = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return null;
            }

            // Rounded up to a whole millisecond: Task.Delay truncates to milliseconds and completes at once below one,
            // so a shorter wait would spin without the clock moving (for ever on a fake clock).
            return TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling((1 - _tokens) / _fillRate * 1000)));
        }
    }

    /// <summary>Counts one admitted request in the slot of the measuring window it fell in. Called under the gate.</summary>
    private void Count(long now)
    {
        Advance(now);
        _slotCounts[_slotIndex % Slots]++;
    }

    /// <summary>
    /// Admitted requests per second over the last <see cref="MeasureWindow"/>, and how many. Always over the whole window,
    /// even just after the start: a service's token bucket admits its burst at once, and dividing that burst by the
    /// fraction of a second it took would seed the rate several times above what the bucket refills (config 1 report
    /// mode seeded at ≈ 300/s against a 50/s bucket and spent 17 % of its attempts throttled).
    /// </summary>
    private (double Rate, long Samples) Measure(long now)
    {
        Advance(now);
        long sum = 0;
        foreach (var count in _slotCounts)
        {
            sum += count;
        }

        return (Math.Max(MinRate, sum / MeasureWindow.TotalSeconds), sum);
    }

    private void Advance(long now)
    {
        var slot = (long)(_time.GetElapsedTime(_start, now).TotalSeconds * Slots / MeasureWindow.TotalSeconds);
        for (long s = Math.Max(_slotIndex + 1, slot - Slots + 1); s <= slot; s++)
        {
            _slotCounts[s % Slots] = 0;
        }

        _slotIndex = Math.Max(_slotIndex, slot);
    }

    private void Release() => _inFlight.Release();

    /// <summary>One admitted request; dispose to free its in-flight slot.</summary>
    private sealed class Lease(AdaptiveRatePacer owner, long generation) : IDisposable
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
