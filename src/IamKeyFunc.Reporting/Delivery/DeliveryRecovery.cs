using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Retries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The recovery pass: after a run's first sends, the batches that failed and may be sent again
/// (<see cref="UndeliveredBatch"/>, gathered in a <see cref="DeliveryLedger"/>) are sent again, round after round, until
/// every one is delivered or the deadline passes. Each round sends each open batch once (the sink retries it as
/// usual); between rounds it waits with the delivery backoff (<see cref="Backoff.Next"/> from
/// <c>IamKey:Delivery:RetryBaseDelay</c>, doubling up to <c>RetryMaxDelay</c>, never past the deadline). The sink
/// keeps what it learnt in the run (the workspace key, the token), so a batch that failed for want of a credential goes
/// through once any delivery has it.
/// <para>Nothing is sent twice: only the records of a batch that was not accepted are sent again; when a resend is
/// accepted in part (a Logs Ingestion body split in several requests), only what still failed stays open. A send still
/// under way at the deadline is cancelled and its batch stays undelivered (exact shortfall). A batch the service
/// refuses (a 400, a rejected key) or a sink that throws closes that batch as not delivered.</para>
/// <para>Stateless apart from its options: the in-process engine (<c>Runs/ReportJob</c>) calls it after the last
/// account and again for the run summaries; a fan-out engine can call it from an activity with the batches its
/// per-account activities returned.</para>
/// </summary>
public sealed partial class DeliveryRecovery(IOptions<DeliveryOptions> options, TimeProvider timeProvider, ILogger<DeliveryRecovery> logger)
{
    /// <summary>A round is not started with less time than this left: it could not finish.</summary>
    internal static readonly TimeSpan MinimumRound = TimeSpan.FromMilliseconds(100);

    private readonly DeliveryOptions _options = options.Value;

    /// <summary>How long a run may take (<see cref="DeliveryOptions.ResolveRunTimeBudget"/>).</summary>
    public TimeSpan Budget => _options.ResolveRunTimeBudget();

    /// <summary>The end of the budget of a run that started at <paramref name="startedAt"/>.</summary>
    public DateTimeOffset Deadline(DateTimeOffset startedAt) => startedAt + Budget;

    /// <summary>
    /// The point until which the key records and change events may be recovered: two thirds of the time left, so the
    /// run summaries, sent after them, keep a third of it for their own sends.
    /// </summary>
    public DateTimeOffset SummaryReserveStart(DateTimeOffset deadline)
    {
        var left = deadline - timeProvider.GetUtcNow();
        return left <= TimeSpan.Zero ? deadline : deadline - (left / 3);
    }

    /// <summary>Sends <paramref name="batches"/> again until all are delivered or <paramref name="deadline"/> passes.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (not the deadline).</exception>
    public async Task<RecoveryResult> RecoverAsync(IReportSink sink, IReadOnlyList<UndeliveredBatch> batches, DateTimeOffset deadline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(batches);
        var started = timeProvider.GetTimestamp();
        var progress = batches.Select(b => new Progress(b)).ToList();
        var rounds = 0;
        var deadlineReached = false;
        while (progress.Any(p => p.Open.Count > 0))
        {
            if (deadline - timeProvider.GetUtcNow() < MinimumRound)
            {
                deadlineReached = true;
                break;
            }

            rounds++;
            foreach (var item in progress.Where(p => p.Open.Count > 0))
            {
                if (!await ResendAsync(sink, item, deadline, cancellationToken).ConfigureAwait(false))
                {
                    deadlineReached = true;
                    break;
                }
            }

            var open = progress.Sum(p => p.Open.Count);
            if (deadlineReached || open == 0)
            {
                break;
            }

            var left = deadline - timeProvider.GetUtcNow();
            var wait = Backoff.Next(rounds, null, _options.RetryBaseDelay, _options.RetryMaxDelay);
            wait = wait < left / 2 ? wait : left / 2;
            LogRound(sink.Name, rounds, open, progress.Sum(p => p.Open.Sum(b => b.Count)), Math.Round(wait.TotalMilliseconds), Math.Round(left.TotalSeconds, 1));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        var result = new RecoveryResult([.. progress.Select(p => p.ToOutcome())], rounds, deadlineReached, timeProvider.GetElapsedTime(started))
        {
            EndedAt = timeProvider.GetUtcNow(),
        };
        if (batches.Count > 0)
        {
            LogDone(sink.Name, result.RecoveredBatches, batches.Count, result.RecoveredRecords, result.Batches.Sum(b => b.Shortfall), rounds, deadlineReached, Math.Round(result.Duration.TotalMilliseconds));
        }

        return result;
    }

    /// <summary>Sends each open part of <paramref name="item"/> once; false when the deadline cut a send short.</summary>
    private async Task<bool> ResendAsync(IReportSink sink, Progress item, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var parts = item.Open.ToList();
        item.Open.Clear();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var left = deadline - timeProvider.GetUtcNow();
            if (left < MinimumRound)
            {
                item.Open.AddRange(parts.Skip(i));
                return false;
            }

            using var budget = new CancellationTokenSource(left, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
            DeliveryResult result;
            try
            {
                item.Resends++;
                result = await part.SendAsync(sink, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The deadline: the send in flight is abandoned, so its records count as not delivered.
                item.Open.AddRange(parts.Skip(i));
                item.LastError = $"{part.Error} (still undelivered when the run's time budget of {Budget:c} ran out)";
                return false;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var issue = SafeError.From(ex);
                item.Close(part, $"{issue.Code}: {issue.Message}");
                continue;
            }

            item.Apply(part, result);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovery round {Round} to {Sink}: {Batches} batches ({Records} records) still undelivered; next round in {WaitMs} ms ({SecondsLeft} s of the run's time budget left)")]
    private partial void LogRound(string sink, int round, int batches, int records, double waitMs, double secondsLeft);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovery pass to {Sink}: {Recovered} of {Batches} failed batches delivered ({Records} records), {Shortfall} records still undelivered, {Rounds} rounds, deadline reached {DeadlineReached}, in {DurationMs} ms")]
    private partial void LogDone(string sink, int recovered, int batches, int records, int shortfall, int rounds, bool deadlineReached, double durationMs);

    /// <summary>One batch's way through the pass: its parts still open, what was delivered, what is closed for good.</summary>
    private sealed class Progress(UndeliveredBatch batch)
    {
        private readonly List<int> _delivered = [];
        private readonly List<FailedBatch> _closed = [];

        public List<UndeliveredBatch> Open { get; } = [batch];

        public int Resends { get; set; }

        public string? LastError { get; set; }

        private int Retries { get; set; }

        private long Bytes { get; set; }

        public void Apply(UndeliveredBatch part, DeliveryResult result)
        {
            Retries += result.Retries;
            Bytes += result.Bytes;
            if (result.Succeeded)
            {
                _delivered.AddRange(part.Positions);
                return;
            }

            if (!result.FailuresKnown)
            {
                // The sink did not say which records failed: none may be sent again, and none counts as delivered.
                Close(part, result.Error ?? "not delivered");
                return;
            }

            var failed = result.Failures.SelectMany(f => f.Positions).ToHashSet();
            _delivered.AddRange(Enumerable.Range(0, part.Count).Where(i => !failed.Contains(i)).Select(i => part.Positions[i]));
            foreach (var failure in result.Failures)
            {
                if (failure.Resendable)
                {
                    Open.Add(part.Subset(failure.Positions, failure.Error));
                }
                else
                {
                    _closed.Add(new FailedBatch([.. failure.Positions.Select(i => part.Positions[i])], Resendable: false, failure.Error));
                }

                LastError = failure.Error;
            }
        }

        public void Close(UndeliveredBatch part, string error)
        {
            _closed.Add(new FailedBatch(part.Positions, Resendable: false, error));
            LastError = error;
        }

        public BatchRecovery ToOutcome() => new(
            batch,
            [.. _delivered.Order()],
            [.. _closed, .. Open.Select(o => new FailedBatch(o.Positions, Resendable: true, o.Error))],
            Resends,
            Retries,
            Bytes,
            Open.Count == 0 && _closed.Count == 0 ? null : LastError);
    }
}

/// <summary>What the recovery pass did with each batch.</summary>
/// <param name="Batches">One per batch handed in, in order.</param>
/// <param name="Rounds">Rounds of sends.</param>
/// <param name="DeadlineReached">True when the pass stopped at the deadline with batches still open.</param>
/// <param name="Duration">How long the pass took.</param>
public sealed record RecoveryResult(IReadOnlyList<BatchRecovery> Batches, int Rounds, bool DeadlineReached, TimeSpan Duration)
{
    public static RecoveryResult None { get; } = new([], 0, false, TimeSpan.Zero);

    /// <summary>When the pass ended (null for <see cref="None"/>): never later than its deadline, but for a send being cut short.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Batches delivered whole by the pass.</summary>
    public int RecoveredBatches => Batches.Count(b => b.Recovered);

    /// <summary>Records the pass delivered.</summary>
    public int RecoveredRecords => Batches.Sum(b => b.Delivered.Count);

    /// <summary>
    /// <paramref name="original"/> (the first send's accounting of one delivery) with what the pass did for that
    /// delivery's batches (same table and <see cref="UndeliveredBatch.Origin"/>): recovered records move from failed to
    /// delivered, the resends count as retries, and <see cref="DeliveryResult.Failures"/> names what is still missing.
    /// </summary>
    public DeliveryResult Apply(DeliveryResult original, DeliveryTable table, string? origin)
    {
        ArgumentNullException.ThrowIfNull(original);
        var mine = Batches.Where(b => b.Batch.Table == table && b.Batch.Origin == origin).ToList();
        if (mine.Count == 0)
        {
            return original;
        }

        var delivered = mine.Sum(b => b.Delivered.Count);
        var resent = mine.SelectMany(b => b.Batch.Positions).ToHashSet();
        var failures = original.Failures
            .Select(f => f with { Positions = [.. f.Positions.Where(p => !resent.Contains(p))] })
            .Where(f => f.Positions.Count > 0)
            .Concat(mine.SelectMany(b => b.Remaining))
            .OrderBy(f => f.Positions[0])
            .ToList();
        var failed = original.Failed - delivered;
        return original with
        {
            Delivered = original.Delivered + delivered,
            Failed = failed,
            FailedBatches = original.FailedBatches - mine.Count + mine.Sum(b => b.Remaining.Count),
            Bytes = original.Bytes + mine.Sum(b => b.Bytes),
            Retries = original.Retries + mine.Sum(b => b.Resends + b.Retries),
            Error = failed == 0 ? null : mine.LastOrDefault(b => !b.Recovered)?.Error ?? original.Error,
            Failures = failures,
            Recovered = original.Recovered + delivered,
            RecoveredBatches = original.RecoveredBatches + mine.Count(b => b.Recovered),
        };
    }
}

/// <summary>One batch after the recovery pass.</summary>
/// <param name="Batch">The batch as it entered the pass.</param>
/// <param name="Delivered">Positions (of the original delivery) the pass delivered.</param>
/// <param name="Remaining">What is still not delivered, by original position: closed (refused) or open at the deadline.</param>
/// <param name="Resends">Sends of the batch (or its parts) to the sink.</param>
/// <param name="Retries">The sink's own retries during those sends.</param>
/// <param name="Bytes">Body bytes the sink reported acknowledged.</param>
/// <param name="Error">The last error, when anything is still missing.</param>
public sealed record BatchRecovery(UndeliveredBatch Batch, IReadOnlyList<int> Delivered, IReadOnlyList<FailedBatch> Remaining, int Resends, int Retries, long Bytes, string? Error)
{
    public bool Recovered => Remaining.Count == 0;

    public int Shortfall => Remaining.Sum(r => r.Positions.Count);
}
