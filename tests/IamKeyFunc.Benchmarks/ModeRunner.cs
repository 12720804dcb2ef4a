using IamKeyFunc.Testing.Aws;
using IamKeyFunc.AwsEmulator.Hosting;
using System.Diagnostics;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// Runs one mode of one configuration: a fresh emulator (full token buckets, no credential report yet, zeroed stats)
/// and a fresh host, a settled heap, then the timed run, then the checks against the ground truth.
/// </summary>
internal static class ModeRunner
{
    private static readonly string[] StsOperations = ["AssumeRoleWithWebIdentity", "AssumeRole"];
    private static readonly TimeSpan ModeTimeout = TimeSpan.FromMinutes(10);

    public static async Task<ModeResult> RunAsync(
        BenchmarkConfig config, EmulatorScenario scenario, BenchmarkMode mode, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        var options = new EmulatorOptions { Latency = config.Latency, RateLimit = config.RateLimit };
        await using var emulator = await AwsEmulatorServer.StartAsync(scenario, options, cancellationToken).ConfigureAwait(false);
        using var host = ReportingHost.Create(emulator, mode == BenchmarkMode.Report ? FreshnessMode.Report : FreshnessMode.Live, overrides);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ModeTimeout);

        using var sampler = MemorySampler.Start();
        using var process = Process.GetCurrentProcess();
        var cpuAtStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var outcome = mode == BenchmarkMode.Baseline
            ? await RunBaselineAsync(host, timeout.Token).ConfigureAwait(false)
            : await RunOursAsync(host, timeout.Token).ConfigureAwait(false);
        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuAtStart;
        var memory = sampler.Stop();
        var verification = GroundTruth.Verify(scenario.ExpectedKeys(), outcome.Keys, includeRootKeys: mode != BenchmarkMode.Baseline);

        var stats = emulator.Stats;
        var pageSize = mode == BenchmarkMode.Baseline ? CallModel.IamDefaultPageSize : host.CollectionOptions.PageSize;
        var minimum = scenario.Accounts.Select(a => CallModel.MinimumCalls(mode, a, pageSize)).ToList();
        return new ModeResult
        {
            Mode = mode,
            Wall = clock.Elapsed,
            Cpu = cpu,
            ServerIamCalls = stats.CallsByOperation.Where(p => !StsOperations.Contains(p.Key)).ToDictionary(StringComparer.Ordinal),
            ServerStsCalls = StsOperations.Sum(stats.Calls),
            ServerThrottled = stats.ThrottledResponses,
            ServerPeakConcurrency = stats.PeakConcurrentRequests,
            Client = host.Clients.Totals(),
            Memory = memory,
            Records = outcome.Records,
            RecordBytes = outcome.RecordBytes,
            SummaryBytes = outcome.SummaryBytes,
            MinimumCallsPerAccount = minimum,
            Floor = CallModel.Floor(minimum, config.CallsPerSecond, config.Burst),
            Verification = verification,
            Error = outcome.Error,
            ParallelAccounts = mode == BenchmarkMode.Baseline ? 1 : Math.Min(scenario.Accounts.Count, host.CollectionOptions.MaxParallelAccounts),
        };
    }

    private static async Task<Outcome> RunBaselineAsync(ReportingHost host, CancellationToken cancellationToken)
    {
        var keys = await SeedAlgorithm.CollectAsync(host.Sessions.Sessions, host.Clients, TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        // The seed posts json.dumps(key_records): one array.
        var bytes = MeasuringSink.SizeOf([.. keys.Select(k => k.Record)], SeedJsonContext.Default.IReadOnlyListSeedKeyRecord);
        return new Outcome(keys.Select(k => k.ToObserved()), keys.Count, bytes, 0, null);
    }

    private static async Task<Outcome> RunOursAsync(ReportingHost host, CancellationToken cancellationToken)
    {
        var sink = new MeasuringSink();
        var result = await host.Job.RunAsync(new RunRequest(RunTrigger.Cli, Sink: sink), cancellationToken).ConfigureAwait(false);
        var failed = result.Accounts.Where(a => a.Status != "Succeeded").Select(a => $"{a.AccountId} {a.Status}: {a.ErrorCode} {a.ErrorMessage}").ToList();
        var error = result.Status != RunStatus.Succeeded || failed.Count > 0
            ? $"run {result.Status}{(failed.Count > 0 ? "; " + string.Join("; ", failed) : "")}"
            : null;
        if (result.Records.Count > 0 || result.KeysCollected != result.KeyDelivery?.Delivered)
        {
            error = (error is null ? "" : error + "; ") + $"{result.KeysCollected} keys collected, {result.KeyDelivery?.Delivered} delivered, {result.Records.Count} kept in memory after delivery";
        }

        // What the sink received, not what the job returned: each account's records are delivered as it finishes and then let go.
        var keys = sink.Keys;
        return new Outcome(keys, keys.Count, sink.KeyRecordBytes, sink.SummaryBytes, error);
    }

    /// <summary>What a run produced.</summary>
    private sealed record Outcome(IEnumerable<ObservedKey> Keys, int Records, long RecordBytes, long SummaryBytes, string? Error);
}
