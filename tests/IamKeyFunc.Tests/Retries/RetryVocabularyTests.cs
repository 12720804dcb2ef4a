using System.Net;
using System.Net.Http.Headers;
using IamKeyFunc.Reporting.Retries;

namespace IamKeyFunc.Tests.Retries;

public sealed class RetryVocabularyTests
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
        Assert.Equal(expected, RetryRules.IsRetryable(status));

    [Fact]
    public void IsTransientFault_TellsTimeoutsFromTheCallersCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(RetryRules.IsTransientFault(new HttpRequestException("refused"), CancellationToken.None));
        Assert.True(RetryRules.IsTransientFault(new TimeoutException(), CancellationToken.None));
        Assert.True(RetryRules.IsTransientFault(new TaskCanceledException(), CancellationToken.None));
        Assert.False(RetryRules.IsTransientFault(new TaskCanceledException(), cancelled.Token));
        Assert.False(RetryRules.IsTransientFault(new InvalidOperationException(), CancellationToken.None));
    }

    [Fact]
    public void NextDelay_UsesRetryAfterCappedAtTheMaximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Backoff.Next(1, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), Backoff.Next(1, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.InRange(Backoff.Next(1, TimeSpan.FromSeconds(-3), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)).TotalMilliseconds, 800, 1200);
        Assert.Equal(TimeSpan.FromMinutes(1), Backoff.Next(1, TimeSpan.MaxValue, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
    }

    /// <summary>Before the fix, <c>retry-after-ms: NaN</c> threw out of the delivery loop and the other batches were never sent.</summary>
    [Theory]
    [InlineData("retry-after-ms", "NaN")]
    [InlineData("retry-after-ms", "Infinity")]
    [InlineData("retry-after-ms", "-5")]
    [InlineData("retry-after-ms", "garbage")]
    [InlineData("x-ms-retry-after-ms", "-Infinity")]
    [InlineData("Retry-After", "-3")]
    [InlineData("Retry-After", "soon")]
    [InlineData("Retry-After", "1.5")]
    [InlineData("Retry-After", "Sun, 14 Sep 2025 11:00:00 GMT")]
    public void RetryAfter_CountsMalformedValuesAsAbsent(string header, string value)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(header, value);

        Assert.Null(RetryAfter.Read(response, Now));
    }

    [Theory]
    [InlineData("retry-after-ms", "1e300")]
    [InlineData("retry-after-ms", "99999999999999999999")]
    [InlineData("Retry-After", "99999999999999")]
    public void RetryAfter_KeepsHugeValuesForTheMaximumDelayToBound(string header, string value)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(header, value);

        var asked = RetryAfter.Read(response, Now);

        Assert.NotNull(asked);
        Assert.Equal(TimeSpan.FromSeconds(2), Backoff.Next(1, asked, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2)));
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
            var delay = Backoff.Next(failedAttempt, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
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

        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryAfter.Read(ms, Now));
        Assert.Equal(TimeSpan.FromSeconds(9), RetryAfter.Read(seconds, Now));
        Assert.Equal(TimeSpan.FromSeconds(12), RetryAfter.Read(date, Now));
        Assert.Null(RetryAfter.Read(none, Now));
    }
}
