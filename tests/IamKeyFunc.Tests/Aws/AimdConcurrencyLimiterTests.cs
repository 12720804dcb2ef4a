using IamKeyFunc.Reporting.Aws;

namespace IamKeyFunc.Tests.Aws;

public class AimdConcurrencyLimiterTests
{
    [Fact]
    public async Task Throttle_HalvesTheLimitDownToOne()
    {
        var limiter = new AimdConcurrencyLimiter(8);

        foreach (int expected in new[] { 4, 2, 1, 1 })
        {
            using var lease = await limiter.AcquireAsync();
            limiter.OnThrottled(lease);
            Assert.Equal(expected, limiter.Limit);
        }
    }

    [Fact]
    public async Task ThrottlesFromTheSameWindow_HalveOnlyOnce()
    {
        var limiter = new AimdConcurrencyLimiter(8);
        var leases = new List<AimdConcurrencyLimiter.Lease>();
        for (int i = 0; i < 8; i++)
        {
            leases.Add(await limiter.AcquireAsync());
        }

        foreach (var lease in leases)
        {
            limiter.OnThrottled(lease);
            lease.Dispose();
        }

        Assert.Equal(4, limiter.Limit);
    }

    [Fact]
    public async Task Successes_GrowTheLimitByOnePerRunUpToTheMaximum()
    {
        var limiter = new AimdConcurrencyLimiter(4);
        using (var lease = await limiter.AcquireAsync())
        {
            limiter.OnThrottled(lease);
        }

        Assert.Equal(2, limiter.Limit);

        limiter.OnSuccess();
        Assert.Equal(2, limiter.Limit);
        limiter.OnSuccess();
        Assert.Equal(3, limiter.Limit);
        for (int i = 0; i < 3; i++)
        {
            limiter.OnSuccess();
        }

        Assert.Equal(4, limiter.Limit);
        for (int i = 0; i < 20; i++)
        {
            limiter.OnSuccess();
        }

        Assert.Equal(4, limiter.Limit);
    }

    [Fact]
    public async Task Acquire_WaitsAtTheLimitAndAdmitsInOrderOnRelease()
    {
        var limiter = new AimdConcurrencyLimiter(1);
        var first = await limiter.AcquireAsync();

        var second = limiter.AcquireAsync();
        var third = limiter.AcquireAsync();
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        first.Dispose();
        using (await second)
        {
            Assert.False(third.IsCompleted);
            Assert.Equal(1, limiter.InFlight);
        }

        (await third).Dispose();
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task Growth_AdmitsWaitingCallers()
    {
        var limiter = new AimdConcurrencyLimiter(2);
        using (var lease = await limiter.AcquireAsync())
        {
            limiter.OnThrottled(lease);
        }

        using var held = await limiter.AcquireAsync();
        var waiting = limiter.AcquireAsync();
        Assert.False(waiting.IsCompleted);

        limiter.OnSuccess();

        (await waiting).Dispose();
        Assert.Equal(2, limiter.Limit);
    }

    [Fact]
    public async Task CancelledWaiter_LeavesTheQueueWithoutTakingASlot()
    {
        var limiter = new AimdConcurrencyLimiter(1);
        var held = await limiter.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(cts.Token);
        var next = limiter.AcquireAsync();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held.Dispose();

        using (await next)
        {
            Assert.Equal(1, limiter.InFlight);
        }

        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task DisposingALeaseTwice_ReleasesOnce()
    {
        var limiter = new AimdConcurrencyLimiter(2);
        var a = await limiter.AcquireAsync();
        using var b = await limiter.AcquireAsync();

        a.Dispose();
        a.Dispose();

        Assert.Equal(1, limiter.InFlight);
    }
}
