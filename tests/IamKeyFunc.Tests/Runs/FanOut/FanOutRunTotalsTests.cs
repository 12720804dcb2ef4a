using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Runs.FanOut;

namespace IamKeyFunc.Tests.Runs.FanOut;

/// <summary>The run-level record of a fan-out run: only once every account has one outcome, with exact totals.</summary>
public sealed class FanOutRunTotalsTests
{
    private static readonly DateTimeOffset Started = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
    private static readonly FanOutRun Run = new("run-1", RunTrigger.Timer, Started, ["111111111111", "222222222222", "333333333333"], "lease");

    [Fact]
    public void TryComplete_WhileAnAccountIsMissing_ShouldReturnNull()
    {
        var totals = FanOutRunTotals.TryComplete(Run, [Succeeded("111111111111", 4), Succeeded("222222222222", 2)], Started.AddMinutes(1));

        Assert.Null(totals);
    }

    [Fact]
    public void TryComplete_WithEveryAccount_ShouldSumExactlyAndNameTheFailedAccounts()
    {
        var outcomes = new[]
        {
            Succeeded("111111111111", 4),
            new AccountOutcomeRecord("333333333333", "Failed", "AccessDenied", 0, 0, 0, 3),
            Succeeded("222222222222", 2),
            Succeeded("999999999999", 7), // not this run's account
        };

        var totals = FanOutRunTotals.TryComplete(Run, outcomes, Started.AddSeconds(90))!;

        Assert.Equal(RunStatus.PartiallySucceeded, totals.Status);
        Assert.Equal(3, totals.Accounts);
        Assert.Equal(1, totals.AccountsFailed);
        Assert.Equal(["333333333333"], totals.FailedAccountIds);
        Assert.Equal(6, totals.KeysCollected);
        Assert.Equal(6, totals.KeysDelivered);
        Assert.Equal(0, totals.KeysFailed);
        Assert.Equal(TimeSpan.FromSeconds(90), totals.Duration);
    }

    [Fact]
    public void TryComplete_WhenKeysWereNotDelivered_ShouldBeFailed()
    {
        var outcomes = new[]
        {
            Succeeded("111111111111", 4),
            Succeeded("222222222222", 2),
            new AccountOutcomeRecord("333333333333", "Failed", "KeyRecordsNotDelivered", 5, 3, 2, 1),
        };

        var totals = FanOutRunTotals.TryComplete(Run, outcomes, Started)!;

        Assert.Equal(RunStatus.Failed, totals.Status);
        Assert.Equal(11, totals.KeysCollected);
        Assert.Equal(9, totals.KeysDelivered);
        Assert.Equal(2, totals.KeysFailed);
        Assert.Equal(totals.KeysCollected, totals.KeysDelivered + totals.KeysFailed);
    }

    [Fact]
    public void TryComplete_WhenEveryAccountFailed_ShouldBeFailed()
    {
        var outcomes = Run.AccountIds.Select(id => new AccountOutcomeRecord(id, "Failed", "AccessDenied", 0, 0, 0, 3)).ToList();

        Assert.Equal(RunStatus.Failed, FanOutRunTotals.TryComplete(Run, outcomes, Started)!.Status);
    }

    [Fact]
    public void TryComplete_WithTwoOutcomesForOneAccount_ShouldThrow()
    {
        var outcomes = new[] { Succeeded("111111111111", 4), Succeeded("111111111111", 4), Succeeded("222222222222", 2), Succeeded("333333333333", 1) };

        var exception = Assert.Throws<InvalidOperationException>(() => FanOutRunTotals.TryComplete(Run, outcomes, Started));

        Assert.Contains("two outcomes for account 111111111111", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryComplete_WithAnOutcomeThatLosesRecords_ShouldThrow()
    {
        var outcomes = new[] { Succeeded("111111111111", 4), Succeeded("222222222222", 2), new AccountOutcomeRecord("333333333333", "Succeeded", null, 5, 3, 1, 1) };

        var exception = Assert.Throws<InvalidOperationException>(() => FanOutRunTotals.TryComplete(Run, outcomes, Started));

        Assert.Contains("3 delivered + 1 failed is not the 5 collected", exception.Message, StringComparison.Ordinal);
    }

    private static AccountOutcomeRecord Succeeded(string accountId, int keys) => new(accountId, "Succeeded", null, keys, keys, 0, 1);
}
