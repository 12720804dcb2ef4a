namespace IamKeyFunc.Reporting.Findings;

/// <summary>The computed columns of one key record; see <see cref="FindingsEvaluator"/> for the rules.</summary>
public sealed record KeyFindings(
    int? KeyAgeDays,
    int? DaysSinceLastUse,
    bool RotationOverdue,
    bool Unused,
    bool NeverUsedPastGrace,
    bool TwoActiveKeys,
    bool RootKey,
    int? DaysUntilRotationDue,
    Severity Severity)
{
    /// <summary>Comma-separated names of the findings that hold, in a fixed order (empty when none).</summary>
    public string Names => string.Join(',', Flags());

    public bool Any => Flags().Any();

    private IEnumerable<string> Flags()
    {
        if (RootKey)
        {
            yield return nameof(RootKey);
        }

        if (RotationOverdue)
        {
            yield return nameof(RotationOverdue);
        }

        if (Unused)
        {
            yield return nameof(Unused);
        }

        if (NeverUsedPastGrace)
        {
            yield return nameof(NeverUsedPastGrace);
        }

        if (TwoActiveKeys)
        {
            yield return nameof(TwoActiveKeys);
        }
    }
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
