namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// When an active key crosses the first threshold of its policy, as of the run's start.
/// <list type="bullet">
/// <item>The thresholds are rotation (<c>RotationDays - KeyAgeDays</c>), and for a used key unused
/// (<c>UnusedDays - DaysSinceLastUse</c>), for a never-used key the grace (<c>NeverUsedGraceDays - KeyAgeDays</c>).</item>
/// <item><see cref="DaysUntilBreach"/> is the fewest of them: 0 on the last compliant day, negative once crossed
/// (thresholds are exceeded strictly, as in the findings).</item>
/// <item><see cref="BreachDate"/> is the instant that threshold is (or was) crossed: the start time plus threshold + 1 days.</item>
/// <item><see cref="WarningDay"/> is the smallest of the policy's <c>WarnBeforeDays</c> that is at least
/// <see cref="DaysUntilBreach"/>, while the breach is still ahead (0 or more); the key is then <c>DueSoon</c>.</item>
/// </list>
/// Inactive keys, and keys whose creation time is unknown, have no forecast.
/// </summary>
public sealed record BreachForecast(int? DaysUntilBreach, DateTimeOffset? BreachDate, int? WarningDay)
{
    public static BreachForecast None { get; } = new(null, null, null);

    public bool DueSoon => WarningDay is not null;

    public static BreachForecast For(KeyPolicy policy, bool active, DateTimeOffset? createdAt, DateTimeOffset? lastUsedAt, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!active || createdAt is not { } created)
        {
            return None;
        }

        var candidates = new List<(int Days, DateTimeOffset At)> { Threshold(created, policy.RotationDays, asOf) };
        candidates.Add(lastUsedAt is { } used ? Threshold(used, policy.UnusedDays, asOf) : Threshold(created, policy.NeverUsedGraceDays, asOf));
        var (days, at) = candidates.OrderBy(c => c.Days).ThenBy(c => c.At).First();
        int? warning = days >= 0 ? policy.WarnBeforeDays.Where(w => w >= days).Select(w => (int?)w).Min() : null;
        return new BreachForecast(days, at, warning);
    }

    private static (int Days, DateTimeOffset At) Threshold(DateTimeOffset since, int thresholdDays, DateTimeOffset asOf)
    {
        var elapsed = (int)Math.Max(0, Math.Floor((asOf - since).TotalDays));
        return (thresholdDays - elapsed, since + TimeSpan.FromDays(thresholdDays + 1));
    }
}
