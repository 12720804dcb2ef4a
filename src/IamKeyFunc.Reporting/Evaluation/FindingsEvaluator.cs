using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// Computes a key's ages, findings and severity against the <see cref="FindingsOptions"/> thresholds,
/// as of the run's collection time (so every record of a run is measured from the same instant).
/// <para>Ages are whole days elapsed (rounded down). Thresholds are exceeded strictly: with
/// <c>RotationDays = 90</c> a key is overdue from day 91, and <see cref="KeyFindings.DaysUntilRotationDue"/>
/// is <c>RotationDays - KeyAgeDays</c>, so it is 0 on the last compliant day and negative exactly when overdue.</para>
/// The thresholds are those of the key's <see cref="KeyPolicy"/> (the default policy is <see cref="FindingsOptions"/>).
/// The findings are the rules of <see cref="FindingRules"/>. Severity is the highest of the holding rules'
/// severities (a key due soon is <c>Low</c> through the <c>DueSoon</c> rule), and <c>None</c> when none holds.
/// Inactive keys other than root keys carry no findings: they cannot be used.
/// </summary>
public sealed class FindingsEvaluator(IOptions<FindingsOptions> options)
{
    private readonly KeyPolicy _default = KeyPolicyCompiler.Compile(new KeyPolicyOptions(), options.Value, DateTimeOffset.UnixEpoch).Default;

    /// <summary>The key's findings under the default policy, without exemptions.</summary>
    public KeyFindings Evaluate(AccessKeyFacts key, DateTimeOffset asOf) => Evaluate(key, asOf, _default, exemption: null);

    /// <summary>The key's findings under <paramref name="policy"/>, with the exemption that applies to it, if any.</summary>
    public KeyFindings Evaluate(AccessKeyFacts key, DateTimeOffset asOf, KeyPolicy policy, ExemptionMatch? exemption)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(policy);

        var ageDays = WholeDaysBetween(key.CreatedAt, asOf);
        var daysSinceUse = WholeDaysBetween(key.LastUsedAt, asOf);
        int? daysUntilDue = key.Active && ageDays is { } age ? policy.RotationDays - age : null;
        var forecast = BreachForecast.For(policy, key.Active, key.CreatedAt, key.LastUsedAt, asOf);
        var input = new FindingInput(key, ageDays, daysSinceUse, daysUntilDue, policy, forecast, exemption);

        var holding = FindingRules.All.Where(rule => rule.Holds(input)).ToList();
        var severity = holding.Count > 0 ? holding.Max(rule => rule.SeverityOf(input)) : Severity.None;
        var controls = ComplianceControls.Of(holding.Select(rule => rule.Name), ageDays, daysSinceUse);

        return new KeyFindings(ageDays, daysSinceUse, daysUntilDue, holding, severity, policy, forecast, controls);
    }

    /// <summary>Whole days from <paramref name="from"/> to <paramref name="to"/>, rounded down; 0 for times in the future (clock skew).</summary>
    internal static int? WholeDaysBetween(DateTimeOffset? from, DateTimeOffset to) =>
        from is { } start ? (int)Math.Max(0, Math.Floor((to - start).TotalDays)) : null;
}
