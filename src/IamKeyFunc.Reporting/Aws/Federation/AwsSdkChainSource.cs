using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// Source credentials for runs outside Azure (<c>IamKey:Aws:CredentialSource = AwsSdkChain</c>): the standard AWS
/// chain of AWSSDK.Core, i.e. the named profile <see cref="AwsOptions.Profile"/> from the shared config/credentials
/// files, or else the SDK's default resolution (environment variables, <c>AWS_PROFILE</c>/default profile, SSO,
/// container and instance metadata). Resolved lazily on first use, so a missing profile fails only the run that needs
/// it; the session provider then assumes <see cref="AwsOptions.RoleArn"/> with <see cref="ChainedRoleCredentials"/>.
/// </summary>
public class AwsSdkChainSource : AWSCredentials
{
    private readonly string? _profile;
    private readonly string? _profilesLocation;
    private readonly Lock _lock = new();
    private AWSCredentials? _resolved;

    public AwsSdkChainSource(IOptions<AwsOptions> options)
        : this(string.IsNullOrWhiteSpace(options?.Value.Profile) ? null : options.Value.Profile, profilesLocation: null)
    {
    }

    /// <param name="profile">A profile name, or null for the SDK's default chain.</param>
    /// <param name="profilesLocation">The shared credentials file to read profiles from, or null for the SDK's default locations.</param>
    public AwsSdkChainSource(string? profile, string? profilesLocation)
    {
        _profile = string.IsNullOrWhiteSpace(profile) ? null : profile.Trim();
        _profilesLocation = profilesLocation;
    }

    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        var resolved = Resolve();
        try
        {
            return await resolved.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or InvalidOperationException)
        {
            throw NotFound(ex.Message, ex);
        }
    }

    public override string ToString() => $"AwsSdkChainSource({_profile ?? "default chain"})";

    /// <summary>The SDK credentials behind this source (resolved once, on first use).</summary>
    protected virtual AWSCredentials ResolveCore()
    {
        if (_profile is null)
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        }

        var store = _profilesLocation is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(_profilesLocation);
        return store.TryGetAWSCredentials(_profile, out var credentials)
            ? credentials
            : throw NotFound($"The AWS profile '{_profile}' (IamKey:Aws:Profile) was not found or has no usable credentials.", null);
    }

    private AWSCredentials Resolve()
    {
        lock (_lock)
        {
            if (_resolved is not null)
            {
                return _resolved;
            }

            try
            {
                _resolved = ResolveCore();
            }
            catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or InvalidOperationException)
            {
                throw NotFound(ex.Message, ex);
            }

            return _resolved;
        }
    }

    private static AwsFederationException NotFound(string detail, Exception? inner) => new(
        $"IamKey:Aws:CredentialSource is AwsSdkChain but no AWS credentials could be loaded: {detail} " +
        "Set IamKey:Aws:Profile to a profile in ~/.aws/config or ~/.aws/credentials (run 'aws sso login --profile NAME' for SSO), " +
        "or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN.",
        AwsFederationException.AwsCredentialsNotFound,
        roleArn: null,
        innerException: inner);
}
