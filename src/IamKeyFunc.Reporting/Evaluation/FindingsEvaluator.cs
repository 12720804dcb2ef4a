using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// Computes a key's ages, findings and severity against the <see cref="FindingsOptions"/> thresholds,
/// as of the run's collection time (so every record of a run is measured from the same instant).
/// <para>Ages are whole days elapsed (rounded down). Thresholds are exceeded strictly: with
/// <c>RotationDays = 90</c> a key is overdue from day 91, and <see cref="KeyFindings.DaysUntilRotationDue"/>
/// is <c>RotationDays - KeyAgeDays</c>, so it is 0 on the last compliant day and negative exactly when overdue.</para>
/// The findings are the rules of <see cref="FindingRules"/>. Severity is the highest of the holding rules'
/// severities; a key with none is <c>Low</c> when it is active and its rotation falls due within
/// <see cref="DueSoonDays"/> days, and <c>None</c> otherwise. Inactive keys other than root keys carry no findings:
/// they cannot be used.
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
        var input = new FindingInput(key, ageDays, daysSinceUse, daysUntilDue, _options);

        var holding = FindingRules.All.Where(rule => rule.Holds(input)).ToList();
        var severity = holding.Count > 0 ? holding.Max(rule => rule.SeverityOf(input))
            : daysUntilDue <= DueSoonDays ? Severity.Low
            : Severity.None;

        return new KeyFindings(ageDays, daysSinceUse, daysUntilDue, holding, severity);
    }

    /// <summary>Whole days from <paramref name="from"/> to <paramref name="to"/>, rounded down; 0 for times in the future (clock skew).</summary>
    internal static int? WholeDaysBetween(DateTimeOffset? from, DateTimeOffset to) =>
        from is { } start ? (int)Math.Max(0, Math.Floor((to - start).TotalDays)) : null;
}
