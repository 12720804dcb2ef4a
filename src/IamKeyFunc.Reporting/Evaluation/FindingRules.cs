using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>What a finding rule looks at: one key's facts, its ages as of the run, and the thresholds.</summary>
/// <param name="Key">The key's facts.</param>
/// <param name="KeyAgeDays">Whole days since the key was created; null when unknown.</param>
/// <param name="DaysSinceLastUse">Whole days since the key was last used; null when never used.</param>
/// <param name="DaysUntilRotationDue"><c>RotationDays - KeyAgeDays</c> for active keys; null otherwise.</param>
/// <param name="Thresholds">The key's policy (the default one is the <c>IamKey:Findings</c> settings).</param>
/// <param name="Forecast">When the key crosses its policy's first threshold.</param>
/// <param name="Exemption">The exemption that applies to the key, if any.</param>
public sealed record FindingInput(
    AccessKeyFacts Key, int? KeyAgeDays, int? DaysSinceLastUse, int? DaysUntilRotationDue, KeyPolicy Thresholds, BreachForecast Forecast, ExemptionMatch? Exemption);

/// <summary>One finding: its name (also the <see cref="KeyRecord"/> column and the entry in <see cref="KeyRecord.Findings"/>),
/// when it holds, how severe it is when it holds, and how it sets its record column.</summary>
/// <param name="Name">The finding's name, equal to its <see cref="KeyRecord"/> column.</param>
/// <param name="Holds">True when the key has the finding.</param>
/// <param name="SeverityOf">The key's severity when the finding holds (a key takes the highest of its findings).</param>
/// <param name="SetColumn">Writes the finding's boolean column.</param>
public sealed record FindingRule(string Name, Func<FindingInput, bool> Holds, Func<FindingInput, Severity> SeverityOf, Func<KeyRecord, bool, KeyRecord> SetColumn);

/// <summary>
/// The table of findings, in the order <see cref="KeyRecord.Findings"/> lists them. Adding a finding is one rule here,
/// one boolean column in <see cref="KeyRecord"/> (and the table schema), and its tests.
/// <list type="bullet">
/// <item><c>RootKey</c>: the key belongs to the root user, whatever its status; <c>Critical</c> when active, <c>Low</c> when not.</item>
/// <item><c>RotationOverdue</c>: active and older than <c>RotationDays</c>; <c>High</c>.</item>
/// <item><c>Unused</c>: active, used at least once, and last used more than <c>UnusedDays</c> ago; <c>High</c>.
/// A never-used key is never <c>Unused</c>; it is <c>NeverUsedPastGrace</c> instead, so each key carries one usage finding.</item>
/// <item><c>NeverUsedPastGrace</c>: active, never used, and older than <c>NeverUsedGraceDays</c> (every user, console or not); <c>Medium</c>.</item>
/// <item><c>TwoActiveKeys</c>: the key is active and its user has two active keys; <c>Medium</c>.</item>
/// <item><c>DueSoon</c>: a threshold of the key's policy is crossed within one of its <c>WarnBeforeDays</c>; <c>Low</c>.</item>
/// <item><c>ExemptionExpired</c>: the exemption that matched the key has expired; <c>Medium</c>.</item>
/// </list>
/// </summary>
public static class FindingRules
{
    public static FindingRule RootKey { get; } = new(
        nameof(KeyRecord.RootKey),
        f => f.Key.IsRoot,
        f => f.Key.Active ? Severity.Critical : Severity.Low,
        (r, v) => r with { RootKey = v });

    public static FindingRule RotationOverdue { get; } = new(
        nameof(KeyRecord.RotationOverdue),
        f => f.DaysUntilRotationDue < 0,
        _ => Severity.High,
        (r, v) => r with { RotationOverdue = v });

    public static FindingRule Unused { get; } = new(
        nameof(KeyRecord.Unused),
        f => f.Key.Active && f.DaysSinceLastUse > f.Thresholds.UnusedDays,
        _ => Severity.High,
        (r, v) => r with { Unused = v });

    public static FindingRule NeverUsedPastGrace { get; } = new(
        nameof(KeyRecord.NeverUsedPastGrace),
        f => f.Key.Active && f.Key.LastUsedAt is null && f.KeyAgeDays > f.Thresholds.NeverUsedGraceDays,
        _ => Severity.Medium,
        (r, v) => r with { NeverUsedPastGrace = v });

    public static FindingRule TwoActiveKeys { get; } = new(
        nameof(KeyRecord.TwoActiveKeys),
        f => f.Key.Active && f.Key.ActiveKeysOfUser >= 2,
        _ => Severity.Medium,
        (r, v) => r with { TwoActiveKeys = v });

    public static FindingRule DueSoon { get; } = new(
        nameof(KeyRecord.DueSoon),
        f => f.Forecast.DueSoon,
        _ => Severity.Low,
        (r, v) => r with { DueSoon = v });

    public static FindingRule ExemptionExpired { get; } = new(
        nameof(KeyRecord.ExemptionExpired),
        f => f.Exemption is { Active: false },
        _ => Severity.Medium,
        (r, v) => r with { ExemptionExpired = v });

    /// <summary>Every rule, in the order of <see cref="KeyRecord.Findings"/>.</summary>
    public static IReadOnlyList<FindingRule> All { get; } = [RootKey, RotationOverdue, Unused, NeverUsedPastGrace, TwoActiveKeys, DueSoon, ExemptionExpired];
}
