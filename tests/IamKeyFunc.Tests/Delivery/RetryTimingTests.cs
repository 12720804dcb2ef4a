using System.Net;
using System.Net.Http.Headers;
using IamKeyFunc.Reporting.Delivery;
using Polly.Timeout;

namespace IamKeyFunc.Tests.Delivery;

public sealed class RetryTimingTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 14, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, false)]
    [InlineData(HttpStatusCode.RequestTimeout, false)]
    public void IsRetryable_RetriesThrottlingAndTransientServerErrorsOnly(HttpStatusCode status, bool expected) =>
        Assert.Equal(expected, RetryTiming.IsRetryable(status));

    [Fact]
    public void IsTransientFault_TellsTimeoutsFromTheCallersCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(RetryTiming.IsTransientFault(new HttpRequestException("refused"), CancellationToken.None));
        Assert.True(RetryTiming.IsTransientFault(new TimeoutRejectedException(), CancellationToken.None));
        Assert.True(RetryTiming.IsTransientFault(new TaskCanceledException(), CancellationToken.None));
        Assert.False(RetryTiming.IsTransientFault(new TaskCanceledException(), cancelled.Token));
        Assert.False(RetryTiming.IsTransientFault(new InvalidOperationException(), CancellationToken.None));
    }

    [Fact]
    public void NextDelay_UsesRetryAfterCappedAtTheMaximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), RetryTiming.NextDelay(1, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), RetryTiming.NextDelay(1, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.Zero, RetryTiming.NextDelay(1, TimeSpan.FromSeconds(-3), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(1, 800, 1200)]
    [InlineData(2, 1600, 2400)]
    [InlineData(3, 3200, 4800)]
    [InlineData(10, 10_000, 10_000)]
    public void NextDelay_BacksOffExponentiallyWithJitterUpToTheMaximum(int failedAttempt, double minMs, double maxMs)
    {
        for (var i = 0; i < 50; i++)
        {
            var delay = RetryTiming.NextDelay(failedAttempt, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
            Assert.InRange(delay.TotalMilliseconds, minMs, maxMs);
        }
    }

    [Fact]
    public void ReadRetryAfter_ReadsMillisecondsSecondsAndDates()
    {
        using var ms = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        ms.Headers.TryAddWithoutValidation("retry-after-ms", "250");
        ms.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(9));
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(9));
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(12));
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryTiming.ReadRetryAfter(ms, Now));
        Assert.Equal(TimeSpan.FromSeconds(9), RetryTiming.ReadRetryAfter(seconds, Now));
        Assert.Equal(TimeSpan.FromSeconds(12), RetryTiming.ReadRetryAfter(date, Now));
        Assert.Null(RetryTiming.ReadRetryAfter(none, Now));
    }
}
