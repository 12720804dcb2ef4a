namespace IamKeyFunc.Benchmarks;

/// <summary>What a run did to the managed heap.</summary>
/// <param name="StartBytes">Heap left after the settling collection before the run.</param>
/// <param name="PeakBytes">Highest <see cref="GC.GetTotalMemory(bool)"/> seen (garbage not yet collected included).</param>
/// <param name="RetainedPeakBytes">Highest heap size right after a collection (what the collection could not or did not
/// reclaim: after an ephemeral collection, dead objects already promoted to generation 2 still count).</param>
/// <param name="EndLiveBytes">Heap after a full blocking collection at the end of the run, while its results are
/// still referenced: what the run keeps alive.</param>
/// <param name="AllocatedBytes">Bytes allocated during the run.</param>
internal sealed record MemoryUse(long StartBytes, long PeakBytes, long RetainedPeakBytes, long EndLiveBytes, long AllocatedBytes)
{
    /// <summary>Each figure's median over repeated runs (memory varies with when collections happen to run).</summary>
    public static MemoryUse Median(IReadOnlyList<MemoryUse> runs) => new(
        Median(runs, m => m.StartBytes),
        Median(runs, m => m.PeakBytes),
        Median(runs, m => m.RetainedPeakBytes),
        Median(runs, m => m.EndLiveBytes),
        Median(runs, m => m.AllocatedBytes));

    private static long Median(IReadOnlyList<MemoryUse> runs, Func<MemoryUse, long> value) =>
        runs.Select(value).Order().ElementAt(runs.Count / 2);
}

/// <summary>
/// Samples the managed heap on a background thread every 5 ms: <see cref="GC.GetTotalMemory(bool)"/> without
/// collecting (what the process holds, garbage included, so it depends on the GC's generation-0 budget) and the heap
/// size after the most recent collection (what survives). <see cref="Start"/> settles the heap with a forced full
/// compacting collection first, so every measured run starts from the same floor.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly long _startBytes;
    private readonly long _allocatedAtStart;
    private long _peak;
    private long _retainedPeak;
    private long _lastGcIndex;

    private MemorySampler(long startBytes)
    {
        _startBytes = startBytes;
        _peak = startBytes;
        _retainedPeak = startBytes;
        _lastGcIndex = GC.GetGCMemoryInfo().Index;
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        _thread = new Thread(Run) { IsBackground = true, Name = "memory-sampler", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Collects fully, then starts sampling.</summary>
    public static MemorySampler Start() => new(Settle());

    /// <summary>Full blocking compacting collection, finalizers, and again; returns the heap size left.</summary>
    public static long Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>
    /// Stops sampling. Call it while the run's results are still referenced: a last full collection measures what the
    /// run keeps alive.
    /// </summary>
    public MemoryUse Stop()
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart;
        Sample();
        _stop.Set();
        _thread.Join();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var endLive = GC.GetTotalMemory(forceFullCollection: false);
        return new MemoryUse(_startBytes, Interlocked.Read(ref _peak), Interlocked.Read(ref _retainedPeak), endLive, allocated);
    }

    public void Dispose()
    {
        if (!_stop.IsSet)
        {
            _stop.Set();
            _thread.Join();
        }

        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.Wait(Interval))
        {
            Sample();
        }
    }

    private void Sample()
    {
        Raise(ref _peak, GC.GetTotalMemory(forceFullCollection: false));
        var info = GC.GetGCMemoryInfo();
        if (info.Index != Interlocked.Read(ref _lastGcIndex))
        {
            Interlocked.Exchange(ref _lastGcIndex, info.Index);
            long after = 0;
            foreach (var generation in info.GenerationInfo)
            {
                after += generation.SizeAfterBytes;
            }

            Raise(ref _retainedPeak, after);
            Raise(ref _peak, after);
        }
    }

    private static void Raise(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
