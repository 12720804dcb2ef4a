namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>The computed columns of one key record; see <see cref="FindingsEvaluator"/> and <see cref="FindingRules"/>.</summary>
/// <param name="Holding">The rules that hold, in <see cref="FindingRules.All"/> order.</param>
/// <param name="Policy">The policy the key was measured against.</param>
/// <param name="Forecast">When the key crosses that policy's first threshold.</param>
/// <param name="Controls">Comma-separated compliance controls the holding findings violate (<see cref="ComplianceControls"/>).</param>
public sealed record KeyFindings(
    int? KeyAgeDays,
    int? DaysSinceLastUse,
    int? DaysUntilRotationDue,
    IReadOnlyList<FindingRule> Holding,
    Severity Severity,
    KeyPolicy Policy,
    BreachForecast Forecast,
    string Controls)
{
    /// <summary>Comma-separated names of the findings that hold, in a fixed order (empty when none).</summary>
    public string Names => string.Join(',', Holding.Select(rule => rule.Name));

    /// <summary>True when <paramref name="rule"/> holds for the key.</summary>
    public bool Has(FindingRule rule) => Holding.Contains(rule);
}

/// <summary>How urgent a key's findings are, lowest first.</summary>
public enum Severity
{
    None,
    Low,
    Medium,
    High,
    Critical,
}
