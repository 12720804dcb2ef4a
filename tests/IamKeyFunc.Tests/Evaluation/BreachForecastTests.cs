using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Time.Testing;
using static IamKeyFunc.Tests.Evaluation.PolicyTestKit;

namespace IamKeyFunc.Tests.Evaluation;

public sealed class BreachForecastTests
{
    private readonly FakeTimeProvider _time = new(Now);

    private static KeyPolicy Policy(string warnings = "14,7,1") =>
        Compile(new KeyPolicyDefinition { Name = "p", UserPath = "/", RotationDays = 90, UnusedDays = 45, NeverUsedGraceDays = 7, WarnBeforeDays = warnings }).Ordered.Single();

    [Theory]
    [InlineData(75, 15, null)]
    [InlineData(76, 14, 14)]
    [InlineData(82, 8, 14)]
    [InlineData(83, 7, 7)]
    [InlineData(88, 2, 7)]
    [InlineData(89, 1, 1)]
    [InlineData(90, 0, 1)]
    [InlineData(91, -1, null)]
    public void Rotation_ShouldBeDueSoonWithinEachWarningDay_AndCrossedAfterTheLastCompliantDay(int ageDays, int daysUntilBreach, int? warningDay)
    {
        var created = Now.AddDays(-ageDays);

        var forecast = BreachForecast.For(Policy(), active: true, created, lastUsedAt: Now.AddHours(-1), Now);

        Assert.Equal(daysUntilBreach, forecast.DaysUntilBreach);
        Assert.Equal(warningDay, forecast.WarningDay);
        Assert.Equal(warningDay is not null, forecast.DueSoon);
        Assert.Equal(created.AddDays(91), forecast.BreachDate);
    }

    [Fact]
    public void DaysUntilBreach_ShouldCountDownWithTheClock_AndTurnNegativeExactlyAtTheBreachDate()
    {
        var created = Now.AddDays(-89).AddHours(-12);
        var policy = Policy();

        var seen = new List<(int?, int?)>();
        for (var day = 0; day < 4; day++)
        {
            var forecast = BreachForecast.For(policy, true, created, _time.GetUtcNow().AddMinutes(-1), _time.GetUtcNow());
            seen.Add((forecast.DaysUntilBreach, forecast.WarningDay));
            _time.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal([(1, 1), (0, 1), (-1, null), (-2, null)], seen);
        var justBefore = BreachForecast.For(policy, true, created, Now, created.AddDays(91).AddTicks(-1));
        var atBreach = BreachForecast.For(policy, true, created, Now, created.AddDays(91));
        Assert.Equal(0, justBefore.DaysUntilBreach);
        Assert.Equal(-1, atBreach.DaysUntilBreach);
    }

    [Fact]
    public void UnusedThreshold_ShouldWin_WhenItIsCrossedFirst()
    {
        var lastUsed = Now.AddDays(-40);

        var forecast = BreachForecast.For(Policy(), true, Now.AddDays(-60), lastUsed, Now);

        Assert.Equal(5, forecast.DaysUntilBreach);
        Assert.Equal(lastUsed.AddDays(46), forecast.BreachDate);
        Assert.Equal(7, forecast.WarningDay);
    }

    [Fact]
    public void NeverUsedKey_ShouldBreachAtTheEndOfItsGrace()
    {
        var created = Now.AddDays(-6);

        var forecast = BreachForecast.For(Policy(), true, created, lastUsedAt: null, Now);

        Assert.Equal(1, forecast.DaysUntilBreach);
        Assert.Equal(created.AddDays(8), forecast.BreachDate);
        Assert.Equal(1, forecast.WarningDay);
    }

    [Fact]
    public void InactiveOrUndatedKeys_ShouldHaveNoForecast()
    {
        Assert.Equal(BreachForecast.None, BreachForecast.For(Policy(), active: false, Now.AddDays(-80), Now, Now));
        Assert.Equal(BreachForecast.None, BreachForecast.For(Policy(), active: true, createdAt: null, Now, Now));
    }

    [Fact]
    public void NoWarningDays_ShouldNeverBeDueSoon()
    {
        var forecast = BreachForecast.For(Policy(warnings: ""), true, Now.AddDays(-89), Now, Now);

        Assert.Equal(1, forecast.DaysUntilBreach);
        Assert.False(forecast.DueSoon);
    }
}
