using IamKeyFunc.Reporting.Options;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Findings;

/// <summary>
/// Computes a key's ages, findings and severity against the <see cref="FindingsOptions"/> thresholds,
/// as of the run's collection time (so every record of a run is measured from the same instant).
/// <para>Ages are whole days elapsed (rounded down). Thresholds are exceeded strictly: with
/// <c>RotationDays = 90</c> a key is overdue from day 91, and <see cref="KeyFindings.DaysUntilRotationDue"/>
/// is <c>RotationDays - KeyAgeDays</c>, so it is 0 on the last compliant day and negative exactly when overdue.</para>
/// <list type="bullet">
/// <item><c>RotationOverdue</c>: active and older than <c>RotationDays</c>.</item>
/// <item><c>Unused</c>: active, used at least once, and last used more than <c>UnusedDays</c> ago.
/// A never-used key is never <c>Unused</c>; it is <c>NeverUsedPastGrace</c> instead, so each key carries one usage finding.</item>
/// <item><c>NeverUsedPastGrace</c>: active, never used, and older than <c>NeverUsedGraceDays</c> (every user, console or not).</item>
/// <item><c>TwoActiveKeys</c>: the key is active and its user has two active keys.</item>
/// <item><c>RootKey</c>: the key belongs to the root user, whatever its status.</item>
/// </list>
/// Severity, highest rule first: <c>Critical</c> an active root key; <c>High</c> rotation overdue or unused;
/// <c>Medium</c> never used past grace or two active keys; <c>Low</c> an inactive root key, or an active key
/// whose rotation falls due within <see cref="DueSoonDays"/> days; <c>None</c> otherwise. Inactive keys
/// other than root keys carry no findings: they cannot be used.
/// </summary>
public sealed class FindingsEvaluator(IOptions<FindingsOptions> options)
{
    /// <summary>An active key whose rotation is due within this many days is <see cref="Severity.Low"/>.</summary>
    public const int DueSoonDays = 14;

    private readonly FindingsOptions _options = options.Value;

    public KeyFindings Evaluate(AccessKeyFacts key, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(key);

        var ageDays = WholeDaysBetween(key.CreatedAt, asOf);
        var daysSinceUse = WholeDaysBetween(key.LastUsedAt, asOf);
        int? daysUntilDue = key.Active && ageDays is { } age ? _options.RotationDays - age : null;

        var rotationOverdue = daysUntilDue < 0;
        var unused = key.Active && daysSinceUse > _options.UnusedDays;
        var neverUsedPastGrace = key.Active && key.LastUsedAt is null && ageDays > _options.NeverUsedGraceDays;
        var twoActiveKeys = key.Active && key.ActiveKeysOfUser >= 2;

        var severity = (key.IsRoot, key.Active) switch
        {
            (true, true) => Severity.Critical,
            _ when rotationOverdue || unused => Severity.High,
            _ when neverUsedPastGrace || twoActiveKeys => Severity.Medium,
            (true, false) => Severity.Low,
            _ when daysUntilDue <= DueSoonDays => Severity.Low,
            _ => Severity.None,
        };

        return new KeyFindings(ageDays, daysSinceUse, rotationOverdue, unused, neverUsedPastGrace, twoActiveKeys, key.IsRoot, daysUntilDue, severity);
    }

    /// <summary>Whole days from <paramref name="from"/> to <paramref name="to"/>, rounded down; 0 for times in the future (clock skew).</summary>
    internal static int? WholeDaysBetween(DateTimeOffset? from, DateTimeOffset to) =>
        from is { } start ? (int)Math.Max(0, Math.Floor((to - start).TotalDays)) : null;
}
