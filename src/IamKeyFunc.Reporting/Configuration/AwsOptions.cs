using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Where the AWS side is and how to get in: section <c>IamKey:Aws</c>.</summary>
public sealed class AwsOptions
{
    public const string SectionName = "IamKey:Aws";

    /// <summary>The central reader role, assumed with <c>AssumeRoleWithWebIdentity</c>. Its partition selects the endpoints.</summary>
    [Required(ErrorMessage = "IamKey:Aws:RoleArn is required: the central reader role, e.g. arn:aws:iam::111122223333:role/IamKeyFuncReader.")]
    [RegularExpression(AwsArn.RolePattern, ErrorMessage = "IamKey:Aws:RoleArn must look like arn:aws:iam::111122223333:role/IamKeyFuncReader.")]
    public string RoleArn { get; set; } = "";

    /// <summary>
    /// The Entra app registration's identifier URI: <c>api://{appId}</c> (infra/entra/create-app-registration.sh) or
    /// <c>api://{tenantId}/{name}</c> (the Bicep deployment, which cannot know the appId in advance); the managed identity
    /// asks for a v1 token for it.
    /// </summary>
    [Required(ErrorMessage = "IamKey:Aws:Audience is required: the app registration's identifier URI, api://{{appId}}.")]
    [RegularExpression(@"^api://[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(/[A-Za-z0-9._~-]{1,64})?$",
        ErrorMessage = "IamKey:Aws:Audience must be the app registration's identifier URI, api://{{appId}} or api://{{tenantId}}/{{name}} (GUIDs).")]
    public string Audience { get; set; } = "";

    /// <summary>Where the source credentials come from: the Azure identity (default) or the AWS SDK chain (profile, SSO, environment) for runs outside Azure.</summary>
    public AwsCredentialSource CredentialSource { get; set; } = AwsCredentialSource.AzureIdentity;

    /// <summary>With <see cref="AwsCredentialSource.AwsSdkChain"/>: the profile to use (default: the SDK's own resolution).</summary>
    public string? Profile { get; set; }

    /// <summary>STS region; default: the partition's home region (us-east-1, cn-north-1, us-gov-west-1).</summary>
    [RegularExpression(@"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$", ErrorMessage = "IamKey:Aws:StsRegion must be an AWS region name such as eu-west-1.")]
    public string? StsRegion { get; set; }

    /// <summary>STS endpoint override (VPC endpoint, emulator). Default: <c>https://sts.{region}.amazonaws.com</c> (or the partition's domain).</summary>
    public Uri? StsEndpoint { get; set; }

    /// <summary>IAM endpoint override (VPC endpoint, emulator). Default: the partition's global IAM endpoint.</summary>
    public Uri? IamEndpoint { get; set; }

    /// <summary>Prefix of the STS role session name; a timestamp is appended. Letters, digits and <c>+=,.@-_</c>.</summary>
    [RegularExpression(@"^[\w+=,.@-]{2,32}$", ErrorMessage = "IamKey:Aws:SessionNamePrefix must be 2-32 characters of letters, digits and +=,.@-_.")]
    public string SessionNamePrefix { get; set; } = "iamkeyfunc";

    /// <summary>Lifetime asked of STS for the web-identity session. Chained sessions are capped at 3600 s by AWS.</summary>
    [Range(900, 43200, ErrorMessage = "IamKey:Aws:SessionDurationSeconds must be between 900 and 43200.")]
    public int SessionDurationSeconds { get; set; } = 3600;

    /// <summary>Comma-separated member account IDs to reach with <c>AssumeRole</c> into <see cref="MemberRoleName"/>.</summary>
    public string? MemberAccountIds { get; set; }

    /// <summary>Role name assumed in every member account listed in <see cref="MemberAccountIds"/>.</summary>
    [RegularExpression(@"^[\w+=,.@-]{1,64}$", ErrorMessage = "IamKey:Aws:MemberRoleName must be an IAM role name.")]
    public string MemberRoleName { get; set; } = "IamKeyFuncMember";

    /// <summary>Comma-separated explicit member role ARNs (in addition to <see cref="MemberAccountIds"/>).</summary>
    public string? MemberRoleArns { get; set; }

    /// <summary>Whether the central account itself (the one holding <see cref="RoleArn"/>) is inventoried.</summary>
    public bool IncludeCentralAccount { get; set; } = true;

    /// <summary>
    /// Refresh an STS session this long before it expires (capped at half the session's lifetime).
    /// Checked by the federation validator: 1 to 30 minutes.
    /// </summary>
    public TimeSpan CredentialRefreshWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Timeout of one STS HTTP attempt (1 s to 5 min).</summary>
    public TimeSpan StsTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Retries of one STS call by the AWS SDK (standard mode): throttling, 5xx, connection faults, and STS's
    /// <c>IDPCommunicationError</c>/<c>InvalidIdentityToken</c> (AWS could not fetch Entra's keys).
    /// </summary>
    [Range(0, 10, ErrorMessage = "IamKey:Aws:StsMaxErrorRetry must be between 0 and 10.")]
    public int StsMaxErrorRetry { get; set; } = 3;

    /// <summary>Cap of the AWS SDK's jittered exponential backoff between STS retries (0 to 1 min; the SDK's default is 20 s).</summary>
    public TimeSpan StsMaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(20);
}

public enum AwsCredentialSource
{
    /// <summary>Entra token from the injected TokenCredential, traded at STS AssumeRoleWithWebIdentity.</summary>
    AzureIdentity,

    /// <summary>The standard AWS credential chain (profile, SSO, environment), then AssumeRole into <see cref="AwsOptions.RoleArn"/>.</summary>
    AwsSdkChain,
}
