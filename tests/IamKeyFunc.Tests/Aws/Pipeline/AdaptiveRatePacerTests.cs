using IamKeyFunc.Reporting.Aws.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Aws.Pipeline;

public class AdaptiveRatePacerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WithoutThrottling_RequestsAreNotPaced()
    {
        var pacer = new AdaptiveRatePacer(8, _time);

        for (int i = 0; i < 200; i++)
        {
            var acquire = pacer.AcquireAsync(CancellationToken.None);
            Assert.True(acquire.IsCompletedSuccessfully);
            using var lease = await acquire;
            pacer.OnSuccess(lease);
        }

        Assert.Null(pacer.Rate);
    }

    [Fact]
    public async Task FirstThrottle_SeedsTheRateJustBelowTheMeasuredAdmittedRate()
    {
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: 100, every: TimeSpan.FromMilliseconds(20));

        await ThrottleAsync(pacer);

        Assert.InRange(pacer.Rate!.Value, 0.8 * 50 * AdaptiveRatePacer.Beta, 50 * AdaptiveRatePacer.Beta * 1.1);
    }

    [Fact]
    public async Task FirstThrottleRightAfterABurst_SeedsFromTheWholeSecondNotTheBurstsFewMilliseconds()
    {
        // A service's bucket admits its burst (here 50 calls in 100 ms) before it throttles; its refill rate is far lower.
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: 50, every: TimeSpan.FromMilliseconds(2));

        await ThrottleAsync(pacer);

        Assert.InRange(pacer.Rate!.Value, AdaptiveRatePacer.MinRate, 50 * AdaptiveRatePacer.Beta * 1.1);
    }

    [Fact]
    public async Task ThrottleWithTooFewAnswersToMeasure_LeavesTheAccountUnpaced()
    {
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: AdaptiveRatePacer.MinSamples - 1, every: TimeSpan.FromMilliseconds(20));

        await ThrottleAsync(pacer);

        Assert.Null(pacer.Rate);
    }

    [Fact]
    public async Task ThrottlesOfRequestsAdmittedBeforeTheCut_CutOnlyOnce()
    {
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: 100, every: TimeSpan.FromMilliseconds(20));
        var leases = new List<IDisposable>();
        for (int i = 0; i < 8; i++)
        {
            leases.Add(await pacer.AcquireAsync(CancellationToken.None));
        }

        pacer.OnThrottled(leases[0]);
        var afterFirst = pacer.Rate;
        foreach (var lease in leases)
        {
            pacer.OnThrottled(lease);
            lease.Dispose();
        }

        Assert.Equal(afterFirst, pacer.Rate);
        await ThrottleAsync(pacer);
        Assert.True(pacer.Rate < afterFirst);
    }

    [Fact]
    public async Task PacedRequests_AreSpacedAtTheRate()
    {
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: 20, every: TimeSpan.FromMilliseconds(100));
        await ThrottleAsync(pacer);
        var rate = pacer.Rate!.Value;
        var start = _time.GetTimestamp();

        for (int i = 0; i < 20; i++)
        {
            using var lease = await AcquireAsync(pacer);
        }

        var seconds = _time.GetElapsedTime(start).TotalSeconds;
        Assert.InRange(seconds, 18 / rate, 22 / rate);
    }

    [Fact]
    public async Task SuccessesWithoutThrottling_RaiseTheRateBackAndAboveWhereItWasCut()
    {
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: 100, every: TimeSpan.FromMilliseconds(20));
        await ThrottleAsync(pacer);
        var cut = pacer.Rate!.Value;

        await SucceedAsync(pacer, count: 200, every: TimeSpan.Zero);

        Assert.True(pacer.Rate > cut / AdaptiveRatePacer.Beta, $"{pacer.Rate} after a cut to {cut}");
    }

    [Fact]
    public async Task RepeatedThrottling_LowersTheRateEachWindow()
    {
        var pacer = new AdaptiveRatePacer(8, _time);
        await SucceedAsync(pacer, count: 100, every: TimeSpan.FromMilliseconds(20));
        var rates = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            await ThrottleAsync(pacer);
            rates.Add(pacer.Rate!.Value);
            await SucceedAsync(pacer, count: 10, every: TimeSpan.Zero);
        }

        Assert.True(rates[1] < rates[0] && rates[2] < rates[1], string.Join(", ", rates));
    }

    [Fact]
    public async Task RequestsInFlight_StayBounded()
    {
        var pacer = new AdaptiveRatePacer(2, _time);
        var first = await pacer.AcquireAsync(CancellationToken.None);
        using var second = await pacer.AcquireAsync(CancellationToken.None);

        var third = pacer.AcquireAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        first.Dispose();
        first.Dispose();
        using var admitted = await third.WaitAsync(TimeSpan.FromSeconds(10));
        var fourth = pacer.AcquireAsync(CancellationToken.None);
        Assert.False(fourth.IsCompleted);
    }

    [Fact]
    public async Task Waiters_AreServedInArrivalOrder()
    {
        var pacer = new AdaptiveRatePacer(1, _time);
        var held = await pacer.AcquireAsync(CancellationToken.None);
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            using var lease = await pacer.AcquireAsync(CancellationToken.None);
            lock (order)
            {
                order.Add(i);
            }
        }).ToList();

        held.Dispose();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task CancelledWhileWaitingForASlot_ThrowsAndTakesNoSlot()
    {
        var pacer = new AdaptiveRatePacer(1, _time);
        var held = await pacer.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiting = pacer.AcquireAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        using var next = await pacer.AcquireAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CancelledWhileWaitingForItsTurnAtTheRate_ThrowsAndFreesItsSlot()
    {
        var pacer = new AdaptiveRatePacer(1, _time);
        await SucceedAsync(pacer, count: 20, every: TimeSpan.FromMilliseconds(100));
        await ThrottleAsync(pacer);
        (await AcquireAsync(pacer)).Dispose();
        using var cts = new CancellationTokenSource();

        var waiting = pacer.AcquireAsync(cts.Token);
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        using var next = await AcquireAsync(pacer);
    }

    /// <summary>Acquires, advancing the fake clock in small steps while the pacer makes the caller wait.</summary>
    private async Task<IDisposable> AcquireAsync(AdaptiveRatePacer pacer)
    {
        var acquire = pacer.AcquireAsync(CancellationToken.None);
        for (int i = 0; !acquire.IsCompleted && i < 100_000; i++)
        {
            _time.Advance(Step);
            await Task.Yield();
        }

        // Never wait for the real clock: a request the fake one cannot admit fails here rather than hanging the run.
        Assert.True(acquire.IsCompleted, $"Not admitted within 100 s of fake time (rate {pacer.Rate}).");
        return await acquire;
    }

    private async Task SucceedAsync(AdaptiveRatePacer pacer, int count, TimeSpan every)
    {
        for (int i = 0; i < count; i++)
        {
            using var lease = await AcquireAsync(pacer);
            _time.Advance(every);
            pacer.OnSuccess(lease);
        }
    }

    private async Task ThrottleAsync(AdaptiveRatePacer pacer)
    {
        using var lease = await AcquireAsync(pacer);
        pacer.OnThrottled(lease);
    }
}
