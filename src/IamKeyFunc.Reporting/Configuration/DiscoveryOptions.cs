namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Where the run's accounts come from: section <c>IamKey:Aws:Discovery</c>. <c>Static</c> (the default) reads
/// <c>IamKey:Aws:MemberAccountIds</c>/<c>MemberRoleArns</c>; <c>Organizations</c> walks the AWS Organization once per run and
/// collects every ACTIVE account the filters keep (the static lists still add accounts).
/// </summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "IamKey:Aws:Discovery";

    public DiscoverySource Source { get; set; } = DiscoverySource.Static;

    /// <summary>
    /// The role Organizations is called with, in the management account or a delegated administrator, reached with
    /// <c>AssumeRole</c> from the central session. Empty: the central session itself.
    /// </summary>
    public string? RoleArn { get; set; }

    /// <summary>Comma-separated OU or root IDs: only accounts under one of them (at any depth) are collected. Empty: all.</summary>
    public string? IncludeOrganizationalUnits { get; set; }

    /// <summary>Comma-separated OU or root IDs whose accounts (at any depth) are not collected.</summary>
    public string? ExcludeOrganizationalUnits { get; set; }

    /// <summary>Comma-separated <c>Key=Value</c> account tags: only accounts with at least one of them are collected. Empty: all.</summary>
    public string? IncludeAccountTags { get; set; }

    /// <summary>Comma-separated account IDs that are not collected.</summary>
    public string? ExcludeAccountIds { get; set; }

    /// <summary>Comma-separated tag keys copied into the records' <c>AccountTags</c>. Empty (the default): none.</summary>
    public string? AccountTagKeys { get; set; }

    /// <summary>Organizations endpoint override (emulator, proxy): https, or http on a loopback address. Default: the partition's.</summary>
    public Uri? Endpoint { get; set; }
}

public enum DiscoverySource
{
    /// <summary>The accounts listed in <c>IamKey:Aws</c> (today's behaviour).</summary>
    Static,

    /// <summary>Every account of the AWS Organization, filtered.</summary>
    Organizations,
}
