using System.Diagnostics;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Jobs;
using IamKeyFunc.Reporting.Options;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// Runs one mode of one configuration: a fresh emulator (full token buckets, no credential report yet, zeroed stats)
/// and a fresh host, a settled heap, then the timed run, then the checks against the ground truth.
/// </summary>
internal static class ModeRunner
{
    private static readonly string[] StsOperations = ["AssumeRoleWithWebIdentity", "AssumeRole"];
    private static readonly TimeSpan ModeTimeout = TimeSpan.FromMinutes(10);

    public static async Task<ModeResult> RunAsync(BenchmarkConfig config, EmulatorScenario scenario, BenchmarkMode mode, CancellationToken cancellationToken)
    {
        var options = new EmulatorOptions { Latency = config.Latency, RateLimit = config.RateLimit };
        await using var emulator = await AwsEmulatorServer.StartAsync(scenario, options, cancellationToken).ConfigureAwait(false);
        using var host = ReportingHost.Create(emulator, mode == BenchmarkMode.Report ? FreshnessMode.Report : FreshnessMode.Live);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ModeTimeout);

        var truth = scenario.ExpectedKeys();
        using var sampler = MemorySampler.Start();
        var clock = Stopwatch.StartNew();
        var outcome = mode == BenchmarkMode.Baseline
            ? await RunBaselineAsync(host, truth, timeout.Token).ConfigureAwait(false)
            : await RunOursAsync(host, truth, timeout.Token).ConfigureAwait(false);
        clock.Stop();
        var (peak, allocated) = sampler.Stop();

        var stats = emulator.Stats;
        var pageSize = mode == BenchmarkMode.Baseline ? CallModel.IamDefaultPageSize : host.CollectionOptions.PageSize;
        var minimum = scenario.Accounts.Select(a => CallModel.MinimumCalls(mode, a, pageSize)).ToList();
        return new ModeResult
        {
            Mode = mode,
            Wall = clock.Elapsed,
            ServerIamCalls = stats.CallsByOperation.Where(p => !StsOperations.Contains(p.Key)).ToDictionary(StringComparer.Ordinal),
            ServerStsCalls = StsOperations.Sum(stats.Calls),
            ServerThrottled = stats.ThrottledResponses,
            ServerPeakConcurrency = stats.PeakConcurrentRequests,
            Client = host.Clients.Totals(),
            StartHeapBytes = sampler.StartBytes,
            PeakHeapBytes = peak,
            AllocatedBytes = allocated,
            Records = outcome.Records,
            RecordBytes = outcome.RecordBytes,
            SummaryBytes = outcome.SummaryBytes,
            MinimumCallsPerAccount = minimum,
            Floor = CallModel.Floor(minimum, config.CallsPerSecond, config.Burst),
            Verification = outcome.Verification,
            Error = outcome.Error,
            ParallelAccounts = mode == BenchmarkMode.Baseline ? 1 : Math.Min(scenario.Accounts.Count, host.CollectionOptions.MaxParallelAccounts),
        };
    }

    private static async Task<Outcome> RunBaselineAsync(ReportingHost host, IReadOnlyList<ExpectedAccessKey> truth, CancellationToken cancellationToken)
    {
        var records = await SeedAlgorithm.CollectAsync(host.Sessions.Sessions, host.Clients, TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        // The seed posts json.dumps(key_records): one array.
        var bytes = MeasuringSink.SizeOf([.. records.Select(k => k.Record)], SeedJsonContext.Default.IReadOnlyListSeedKeyRecord);
        var verification = GroundTruth.Verify(truth, records.Select(ObservedKey.From), includeRootKeys: false);
        return new Outcome(records.Count, bytes, 0, verification, null);
    }

    private static async Task<Outcome> RunOursAsync(ReportingHost host, IReadOnlyList<ExpectedAccessKey> truth, CancellationToken cancellationToken)
    {
        var sink = new MeasuringSink();
        var result = await host.Job.RunAsync(new RunRequest(RunTrigger.Cli, Sink: sink), cancellationToken).ConfigureAwait(false);
        var verification = GroundTruth.Verify(truth, result.Records.Select(ObservedKey.From), includeRootKeys: true);
        var failed = result.Accounts.Where(a => a.Status != "Succeeded").Select(a => $"{a.AccountId} {a.Status}: {a.ErrorCode} {a.ErrorMessage}").ToList();
        var error = result.Status != RunStatus.Succeeded || failed.Count > 0
            ? $"run {result.Status}{(failed.Count > 0 ? "; " + string.Join("; ", failed) : "")}"
            : null;
        return new Outcome(result.Records.Count, sink.KeyRecordBytes, sink.SummaryBytes, verification, error);
    }

    private sealed record Outcome(int Records, long RecordBytes, long SummaryBytes, Verification Verification, string? Error);
}
