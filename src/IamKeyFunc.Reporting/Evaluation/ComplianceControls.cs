namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// The compliance controls a key's findings violate, at each standard's own threshold (whatever the key's policy says):
/// <list type="table">
/// <item><term><c>CIS-2.12</c>, <c>SecurityHub-IAM.3</c></term><description><c>RotationOverdue</c> and older than 90 days.</description></item>
/// <item><term><c>CIS-2.11</c>, <c>SecurityHub-IAM.22</c></term><description><c>Unused</c> or <c>NeverUsedPastGrace</c>, and idle more than 45 days.</description></item>
/// <item><term><c>SecurityHub-IAM.8</c></term><description>the same, idle more than 90 days.</description></item>
/// <item><term><c>SecurityHub-IAM.4</c></term><description><c>RootKey</c>.</description></item>
/// </list>
/// Idle is the days since the last use, or for a never-used key its age. So a key idle 50 days under a 45-day policy
/// carries <c>CIS-2.11,SecurityHub-IAM.22</c>, and the same key under a 90-day policy carries none: it has no finding.
/// </summary>
public static class ComplianceControls
{
    private static readonly Control[] Table =
    [
        new("CIS-2.11", Measure.Idle, 45, "Unused", "NeverUsedPastGrace"),
        new("CIS-2.12", Measure.Age, 90, "RotationOverdue"),
        new("SecurityHub-IAM.3", Measure.Age, 90, "RotationOverdue"),
        new("SecurityHub-IAM.4", Measure.None, 0, "RootKey"),
        new("SecurityHub-IAM.8", Measure.Idle, 90, "Unused", "NeverUsedPastGrace"),
        new("SecurityHub-IAM.22", Measure.Idle, 45, "Unused", "NeverUsedPastGrace"),
    ];

    /// <summary>Every control ID, in the order <see cref="Of"/> lists them.</summary>
    public static IReadOnlyList<string> Ids { get; } = [.. Table.Select(c => c.Id)];

    /// <summary>Comma-separated controls violated by the findings named in <paramref name="findings"/>; empty when none.</summary>
    public static string Of(IEnumerable<string> findings, int? keyAgeDays, int? daysSinceLastUse)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var holding = findings.ToHashSet(StringComparer.Ordinal);
        var idle = daysSinceLastUse ?? keyAgeDays;
        return string.Join(',', Table.Where(c => c.Findings.Any(holding.Contains) && c.Measure switch
        {
            Measure.Age => keyAgeDays > c.Days,
            Measure.Idle => idle > c.Days,
            _ => true,
        }).Select(c => c.Id));
    }

    private enum Measure
    {
        None,
        Age,
        Idle,
    }

    private sealed record Control(string Id, Measure Measure, int Days, params string[] Findings);
}
