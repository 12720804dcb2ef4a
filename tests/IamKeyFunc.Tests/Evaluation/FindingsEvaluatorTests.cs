using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Evaluation;

public class FindingsEvaluatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 9, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly FindingsEvaluator _evaluator = Create(new FindingsOptions());

    [Theory]
    [InlineData(90, false, 0)]
    [InlineData(91, true, -1)]
    [InlineData(400, true, -310)]
    public void Evaluate_ShouldFlagRotationOverdue_OnlyWhenOlderThanRotationDays(int ageDays, bool overdue, int daysUntilDue)
    {
        // Act
        var findings = Evaluate(ActiveKey(createdDaysAgo: ageDays, lastUsedDaysAgo: 1));

        // Assert
        Assert.Equal(ageDays, findings.KeyAgeDays);
        Assert.Equal(overdue, findings.Has(FindingRules.RotationOverdue));
        Assert.Equal(daysUntilDue, findings.DaysUntilRotationDue);
    }

    [Fact]
    public void Evaluate_ShouldRoundAgesDown_WhenADayIsNotComplete()
    {
        // Arrange: one minute short of 91 days
        var created = _time.GetUtcNow().AddDays(-91).AddMinutes(1);

        // Act
        var findings = Evaluate(new AccessKeyFacts(false, true, created, _time.GetUtcNow(), 1));

        // Assert
        Assert.Equal(90, findings.KeyAgeDays);
        Assert.False(findings.Has(FindingRules.RotationOverdue));
        Assert.Equal(0, findings.DaysSinceLastUse);
    }

    [Fact]
    public void Evaluate_ShouldFlagRotationOverdue_WhenTheClockReachesTheDeadline()
    {
        // Arrange
        var key = ActiveKey(createdDaysAgo: 90, lastUsedDaysAgo: 1);
        Assert.False(Evaluate(key).Has(FindingRules.RotationOverdue));

        // Act
        _time.Advance(TimeSpan.FromDays(1));

        // Assert
        Assert.True(Evaluate(key).Has(FindingRules.RotationOverdue));
    }

    [Theory]
    [InlineData(90, false)]
    [InlineData(91, true)]
    public void Evaluate_ShouldFlagUnused_OnlyWhenLastUseIsOlderThanUnusedDays(int lastUsedDaysAgo, bool unused)
    {
        // Act
        var findings = Evaluate(ActiveKey(createdDaysAgo: 30, lastUsedDaysAgo: lastUsedDaysAgo));

        // Assert
        Assert.Equal(lastUsedDaysAgo, findings.DaysSinceLastUse);
        Assert.Equal(unused, findings.Has(FindingRules.Unused));
    }

    [Fact]
    public void Evaluate_ShouldNotFlagUnusedButNeverUsedPastGrace_WhenAnOldKeyWasNeverUsed()
    {
        // Act
        var findings = Evaluate(ActiveKey(createdDaysAgo: 200, lastUsedDaysAgo: null));

        // Assert
        Assert.False(findings.Has(FindingRules.Unused));
        Assert.True(findings.Has(FindingRules.NeverUsedPastGrace));
        Assert.Null(findings.DaysSinceLastUse);
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    public void Evaluate_ShouldFlagNeverUsedPastGrace_OnlyWhenOlderThanTheGrace(int ageDays, bool flagged)
    {
        Assert.Equal(flagged, Evaluate(ActiveKey(createdDaysAgo: ageDays, lastUsedDaysAgo: null)).Has(FindingRules.NeverUsedPastGrace));
    }

    [Fact]
    public void Evaluate_ShouldFlagNeverUsedPastGrace_WhenTheGraceIsZeroAndTheKeyIsADayOld()
    {
        // Arrange
        var evaluator = Create(new FindingsOptions { NeverUsedGraceDays = 0 });

        // Act
        var sameDay = evaluator.Evaluate(ActiveKey(createdDaysAgo: 0, lastUsedDaysAgo: null), _time.GetUtcNow());
        var nextDay = evaluator.Evaluate(ActiveKey(createdDaysAgo: 1, lastUsedDaysAgo: null), _time.GetUtcNow());

        // Assert
        Assert.False(sameDay.Has(FindingRules.NeverUsedPastGrace));
        Assert.True(nextDay.Has(FindingRules.NeverUsedPastGrace));
    }

    [Fact]
    public void Evaluate_ShouldUseConfiguredThresholds_WhenTheyDifferFromTheDefaults()
    {
        // Arrange
        var evaluator = Create(new FindingsOptions { RotationDays = 30, UnusedDays = 10, NeverUsedGraceDays = 2 });

        // Act
        var findings = evaluator.Evaluate(ActiveKey(createdDaysAgo: 31, lastUsedDaysAgo: 11), _time.GetUtcNow());

        // Assert
        Assert.True(findings.Has(FindingRules.RotationOverdue));
        Assert.True(findings.Has(FindingRules.Unused));
        Assert.Equal(-1, findings.DaysUntilRotationDue);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Evaluate_ShouldFlagTwoActiveKeys_WhenTheUserHasTwoActiveKeys(int activeKeysOfUser, bool flagged)
    {
        // Act
        var findings = Evaluate(ActiveKey(createdDaysAgo: 10, lastUsedDaysAgo: 1) with { ActiveKeysOfUser = activeKeysOfUser });

        // Assert
        Assert.Equal(flagged, findings.Has(FindingRules.TwoActiveKeys));
    }

    [Fact]
    public void Evaluate_ShouldCarryNoFindingsAndNoDeadline_WhenANonRootKeyIsInactive()
    {
        // Arrange
        var key = new AccessKeyFacts(IsRoot: false, Active: false, Ago(500), LastUsedAt: null, ActiveKeysOfUser: 2);

        // Act
        var findings = Evaluate(key);

        // Assert
        Assert.Equal(500, findings.KeyAgeDays);
        Assert.Null(findings.DaysUntilRotationDue);
        Assert.Empty(findings.Holding);
        Assert.Equal("", findings.Names);
        Assert.Equal(Severity.None, findings.Severity);
    }

    [Fact]
    public void Evaluate_ShouldBeCriticalRootKey_WhenTheRootKeyIsActive()
    {
        // Act
        var findings = Evaluate(new AccessKeyFacts(IsRoot: true, Active: true, Ago(3), Ago(1), 1));

        // Assert
        Assert.True(findings.Has(FindingRules.RootKey));
        Assert.Equal("RootKey", findings.Names);
        Assert.Equal(Severity.Critical, findings.Severity);
    }

    [Fact]
    public void Evaluate_ShouldBeLowRootKey_WhenTheRootKeyIsInactive()
    {
        // Act
        var findings = Evaluate(new AccessKeyFacts(IsRoot: true, Active: false, Ago(300), null, 0));

        // Assert
        Assert.True(findings.Has(FindingRules.RootKey));
        Assert.False(findings.Has(FindingRules.RotationOverdue));
        Assert.Equal(Severity.Low, findings.Severity);
    }

    [Theory]
    [InlineData(91, 1, Severity.High)] // rotation overdue
    [InlineData(30, 91, Severity.High)] // unused
    [InlineData(30, null, Severity.Medium)] // never used past grace
    [InlineData(76, 1, Severity.Low)] // rotation due in 14 days
    [InlineData(75, 1, Severity.None)] // rotation due in 15 days
    [InlineData(5, null, Severity.Low)] // never used, grace ends in 2 days: DueSoon
    [InlineData(1, 1, Severity.None)] // nothing due within the default 14-day warning
    public void Evaluate_ShouldGradeSeverity_ByTheWorstFinding(int ageDays, int? lastUsedDaysAgo, Severity expected)
    {
        Assert.Equal(expected, Evaluate(ActiveKey(ageDays, lastUsedDaysAgo)).Severity);
    }

    [Fact]
    public void Evaluate_ShouldBeMedium_WhenTheOnlyFindingIsTwoActiveKeys()
    {
        Assert.Equal(Severity.Medium, Evaluate(ActiveKey(10, 1) with { ActiveKeysOfUser = 2 }).Severity);
    }

    [Fact]
    public void Names_ShouldListEveryFindingInAFixedOrder_WhenSeveralHold()
    {
        // Act
        var findings = Evaluate(new AccessKeyFacts(IsRoot: true, Active: true, Ago(200), Ago(100), 2));

        // Assert
        Assert.Equal("RootKey,RotationOverdue,Unused,TwoActiveKeys", findings.Names);
        Assert.Equal(Severity.Critical, findings.Severity);
    }

    [Fact]
    public void Evaluate_ShouldReportZeroDays_WhenATimeIsAheadOfTheClock()
    {
        Assert.Equal(0, Evaluate(new AccessKeyFacts(false, true, Ago(-1), Ago(-1), 1)).KeyAgeDays);
    }

    [Fact]
    public void Evaluate_ShouldLeaveAgesNull_WhenTheCreationTimeIsUnknown()
    {
        // Act
        var findings = Evaluate(new AccessKeyFacts(false, true, CreatedAt: null, LastUsedAt: null, 1));

        // Assert
        Assert.Null(findings.KeyAgeDays);
        Assert.Null(findings.DaysUntilRotationDue);
        Assert.False(findings.Has(FindingRules.NeverUsedPastGrace));
    }

    private static FindingsEvaluator Create(FindingsOptions options) => new(Microsoft.Extensions.Options.Options.Create(options));

    private KeyFindings Evaluate(AccessKeyFacts key) => _evaluator.Evaluate(key, _time.GetUtcNow());

    private AccessKeyFacts ActiveKey(int createdDaysAgo, int? lastUsedDaysAgo) =>
        new(IsRoot: false, Active: true, Ago(createdDaysAgo), lastUsedDaysAgo is { } d ? Ago(d) : null, ActiveKeysOfUser: 1);

    private DateTimeOffset Ago(int days) => _time.GetUtcNow().AddDays(-days);
}
