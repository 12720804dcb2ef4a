namespace IamKeyFunc.Benchmarks;

/// <summary>
/// Samples the managed heap (<see cref="GC.GetTotalMemory(bool)"/> without collecting, plus the GC's own heap size after
/// each collection) on a background thread and keeps the peak. <see cref="Settle"/> forces a full compacting collection
/// first, so every measured run starts from the same floor.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private long _peak;

    private MemorySampler(long startBytes, long allocatedAtStart)
    {
        StartBytes = startBytes;
        AllocatedAtStart = allocatedAtStart;
        _peak = startBytes;
        _thread = new Thread(Run) { IsBackground = true, Name = "memory-sampler", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Managed heap bytes after the settling collection.</summary>
    public long StartBytes { get; }

    public long AllocatedAtStart { get; }

    public long PeakBytes => Interlocked.Read(ref _peak);

    /// <summary>Collects fully, then starts sampling.</summary>
    public static MemorySampler Start()
    {
        var settled = Settle();
        return new MemorySampler(settled, GC.GetTotalAllocatedBytes(precise: true));
    }

    /// <summary>Full blocking compacting collection, finalizers, and again; returns the heap size left.</summary>
    public static long Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>Stops sampling; returns the peak and the bytes allocated since <see cref="Start"/>.</summary>
    public (long PeakBytes, long AllocatedBytes) Stop()
    {
        Sample();
        _stop.Set();
        _thread.Join();
        return (PeakBytes, GC.GetTotalAllocatedBytes(precise: true) - AllocatedAtStart);
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
        var now = Math.Max(GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().HeapSizeBytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }
}
