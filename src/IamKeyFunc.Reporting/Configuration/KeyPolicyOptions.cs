namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Key policies and exemptions: <c>IamKey:Policies:N:*</c>, <c>IamKey:Exemptions:N:*</c> and <c>IamKey:PolicyFile</c>.
/// The policies of the app settings come first, then those of the file; the first that matches a key applies, and a key
/// no policy matches gets the default policy of <c>IamKey:Findings</c>. Exemptions from both places apply.
/// </summary>
public sealed class KeyPolicyOptions
{
    public const string SectionName = "IamKey";

    /// <summary>Ordered policies, first match wins.</summary>
    public List<KeyPolicyDefinition> Policies { get; set; } = [];

    /// <summary>Time-limited exemptions of keys, users or accounts.</summary>
    public List<ExemptionDefinition> Exemptions { get; set; } = [];

    /// <summary>A JSON policy document (<c>{"Policies": [...], "Exemptions": [...]}</c>) read once at start; empty for none.</summary>
    public string? PolicyFile { get; set; }
}

/// <summary>The policy file named by <c>IamKey:PolicyFile</c>: the same lists, bound as strictly as the settings.</summary>
internal sealed class PolicyDocument
{
    public List<KeyPolicyDefinition> Policies { get; set; } = [];

    public List<ExemptionDefinition> Exemptions { get; set; } = [];
}

/// <summary>
/// One policy: <c>IamKey:Policies:N</c> or an entry of the policy file's <c>Policies</c>. It names the keys it covers
/// (at least one match field with a value; the implicit <c>Default</c> is the only catch-all) and the thresholds that
/// apply to them. Every public property is a field of the settings and the document, and nothing else is.
/// </summary>
public sealed class KeyPolicyDefinition
{
    /// <summary>Required, unique: the records' <c>PolicyName</c>.</summary>
    public string? Name { get; set; }

    /// <summary><c>Default</c> (the <c>IamKey:Findings</c> thresholds), <c>CisAwsV7</c> or <c>SecurityHub</c>.</summary>
    public string? Profile { get; set; }

    /// <summary>Overrides the profile's rotation threshold (1-3650).</summary>
    public int? RotationDays { get; set; }

    /// <summary>Overrides the profile's unused threshold (1-3650).</summary>
    public int? UnusedDays { get; set; }

    /// <summary>Overrides the profile's never-used grace (0-365).</summary>
    public int? NeverUsedGraceDays { get; set; }

    /// <summary>Comma-separated warning windows in days, e.g. <c>14,7,1</c> (1-365 each); empty for no warnings.</summary>
    public string? WarnBeforeDays { get; set; }

    /// <summary>Comma-separated account IDs; the policy applies in any of them.</summary>
    public string? AccountIds { get; set; }

    /// <summary>
    /// OU path prefix (names from the root, e.g. <c>Root/Workloads</c>; a <c>/</c> or <c>\</c> inside a name is written
    /// <c>\/</c> or <c>\\</c>, see <see cref="OuPath"/>); needs Organizations discovery.
    /// </summary>
    public string? OrganizationalUnitPath { get; set; }

    /// <summary>Comma-separated OU or root IDs (<c>ou-ab12-cdef3456</c>, <c>r-ab12</c>): the account is in one of them or below it; needs Organizations discovery.</summary>
    public string? OrganizationalUnitIds { get; set; }

    /// <summary>Comma-separated account tags, <c>Key=Value</c> or <c>Key</c> (present); all must hold.</summary>
    public string? AccountTags { get; set; }

    /// <summary>User path prefix, e.g. <c>/service/</c>.</summary>
    public string? UserPath { get; set; }

    /// <summary>User-name glob (<c>*</c>, <c>?</c>, <c>[a-z]</c>), case-insensitive, e.g. <c>ci-*</c>.</summary>
    public string? UserName { get; set; }

    /// <summary>Comma-separated user tags, <c>Key=Value</c> or <c>Key</c>; all must hold. Costs one <c>ListUserTags</c> per user unless <c>PrivilegeScan</c> is on.</summary>
    public string? UserTags { get; set; }
}

/// <summary>One exemption: <c>IamKey:Exemptions:N</c> or an entry of the policy file's <c>Exemptions</c>.</summary>
public sealed class ExemptionDefinition
{
    /// <summary>Optional label shown in the summaries when the exemption matches nothing (default: the reference).</summary>
    public string? Name { get; set; }

    /// <summary>Match: the account (12 digits).</summary>
    public string? AccountId { get; set; }

    /// <summary>Match: the user's ARN (exact).</summary>
    public string? UserArn { get; set; }

    /// <summary>Match: the key, as the lowercase hex SHA-256 of its ID (<c>printf %s AKIA... | sha256sum</c>), never the ID itself.</summary>
    public string? KeyIdSha256 { get; set; }

    /// <summary>Required: why the key may keep its findings.</summary>
    public string? Reason { get; set; }

    /// <summary>Required: the ticket or change that approved it.</summary>
    public string? Reference { get; set; }

    /// <summary>Required: when the exemption ends (at most 365 days ahead of the start-up).</summary>
    public DateTimeOffset? Expires { get; set; }
}
