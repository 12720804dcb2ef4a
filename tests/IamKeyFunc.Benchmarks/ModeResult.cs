using IamKeyFunc.Testing.Aws;
namespace IamKeyFunc.Benchmarks;

/// <summary>Everything measured for one mode of one configuration.</summary>
internal sealed record ModeResult
{
    public required BenchmarkMode Mode { get; init; }

    public required TimeSpan Wall { get; init; }

    /// <summary>Wall times of every repetition of this mode (this result is the median one, or a failed one).</summary>
    public IReadOnlyList<TimeSpan> WallRuns { get; init; } = [];

    /// <summary>Processor time of the whole process during the run (our code and the in-process emulator).</summary>
    public required TimeSpan Cpu { get; init; }

    /// <summary>IAM calls received by the emulator per operation, throttled attempts included (the ground truth of cost).</summary>
    public required IReadOnlyDictionary<string, long> ServerIamCalls { get; init; }

    /// <summary>STS calls received by the emulator (AssumeRoleWithWebIdentity, AssumeRole); not rate limited.</summary>
    public required long ServerStsCalls { get; init; }

    /// <summary>Throttling answers sent by the emulator's token buckets.</summary>
    public required long ServerThrottled { get; init; }

    /// <summary>Most requests the emulator handled at once.</summary>
    public required int ServerPeakConcurrency { get; init; }

    /// <summary>What our IAM clients counted (to cross-check the emulator).</summary>
    public required ClientTotals Client { get; init; }

    public required MemoryUse Memory { get; init; }

    public required int Records { get; init; }

    /// <summary>JSON bytes of the key records that would be posted to Log Analytics.</summary>
    public required long RecordBytes { get; init; }

    /// <summary>JSON bytes of the run summaries (none for the baseline, which has no summary table).</summary>
    public required long SummaryBytes { get; init; }

    /// <summary>The fewest IAM calls per account this mode needs (<see cref="CallModel"/>).</summary>
    public required IReadOnlyList<int> MinimumCallsPerAccount { get; init; }

    public required TimeSpan Floor { get; init; }

    public required Verification Verification { get; init; }

    /// <summary>Accounts collected side by side: min(accounts, MaxParallelAccounts) for ours, 1 for the baseline.</summary>
    public required int ParallelAccounts { get; init; }

    /// <summary>A run-level failure (our job's status, an account error), or null.</summary>
    public string? Error { get; init; }

    public long ServerIamTotal => ServerIamCalls.Values.Sum();

    public int MinimumCalls => MinimumCallsPerAccount.Sum();

    public long Bytes => RecordBytes + SummaryBytes;

    /// <summary>Peak managed heap, garbage included (the whole process: the in-process emulator too).</summary>
    public double PeakMegabytes => Memory.PeakBytes / 1048576.0;

    /// <summary>Peak heap right after a collection, the whole process.</summary>
    public double RetainedMegabytes => Memory.RetainedPeakBytes / 1048576.0;

    /// <summary>What the run keeps alive at its end (records included) above the settled heap it started from.</summary>
    public double GrowthMegabytes => (Memory.EndLiveBytes - Memory.StartBytes) / 1048576.0;

    public double AllocatedMegabytes => Memory.AllocatedBytes / 1048576.0;

    public double FloorRatio => Floor > TimeSpan.Zero ? Wall / Floor : double.NaN;

    /// <summary>The machine's floor: the run's processor time spread over every core (the in-process emulator's included).</summary>
    public TimeSpan CpuFloor => Cpu / Environment.ProcessorCount;

    /// <summary>The higher of the rate-limit floor and the CPU floor: what the run could take at best on this machine.</summary>
    public TimeSpan BindingFloor => Floor > CpuFloor ? Floor : CpuFloor;

    public double BindingFloorRatio => BindingFloor > TimeSpan.Zero ? Wall / BindingFloor : double.NaN;

    /// <summary>Throttled attempts as a share of every IAM attempt.</summary>
    public double ThrottledShare => ServerIamTotal == 0 ? 0 : (double)ServerThrottled / ServerIamTotal;

    /// <summary>The client's count equals the emulator's, in total and per operation.</summary>
    public bool StatsAgree => Client.TotalCalls == ServerIamTotal
        && ServerIamCalls.All(p => Client.CallsByOperation.GetValueOrDefault(p.Key) == p.Value)
        && Client.Throttled == ServerThrottled;

    public bool Passed => Verification.Passed && Error is null && StatsAgree;
}

/// <summary>The three modes of one configuration.</summary>
internal sealed record ConfigResult(BenchmarkConfig Config, int Users, int UserKeys, int RootKeys, IReadOnlyList<ModeResult> Modes)
{
    public ModeResult this[BenchmarkMode mode] => Modes.First(m => m.Mode == mode);

    public bool Passed => Modes.All(m => m.Passed);
}
