using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Finding thresholds: section <c>IamKey:Findings</c>.</summary>
public sealed class FindingsOptions
{
    public const string SectionName = "IamKey:Findings";

    /// <summary>An active key older than this is <c>RotationOverdue</c>.</summary>
    [Range(1, 3650, ErrorMessage = "{0} must be between 1 and 3650.")]
    public int RotationDays { get; set; } = 90;

    /// <summary>An active key last used longer ago than this is <c>Unused</c>.</summary>
    [Range(1, 3650, ErrorMessage = "{0} must be between 1 and 3650.")]
    public int UnusedDays { get; set; } = 90;

    /// <summary>An active key never used and older than this is <c>NeverUsedPastGrace</c> (for every user, not only console users).</summary>
    [Range(0, 365, ErrorMessage = "{0} must be between 0 and 365.")]
    public int NeverUsedGraceDays { get; set; } = 7;

    /// <summary>Warning windows of the default policy, comma-separated days (e.g. <c>14,7,1</c>): <c>DueSoon</c> within the largest.</summary>
    public string WarnBeforeDays { get; set; } = "14";
}
