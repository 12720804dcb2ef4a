using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// AWS credentials for the central role, from the Function's Entra ID token traded at STS
/// <c>AssumeRoleWithWebIdentity</c> (an unsigned call: the STS client uses anonymous credentials).
/// Refreshing, cached, one refresher at a time: see <see cref="StsSessionCredentials"/>.
/// </summary>
public sealed class WebIdentityCredentials : StsSessionCredentials
{
    private readonly IAmazonSecurityTokenService _sts;
    private readonly EntraWebIdentityTokenSource _tokenSource;
    private WebIdentityToken? _lastToken;

    /// <param name="sts">An STS client with anonymous credentials (see <see cref="StsClientFactory"/>).</param>
    /// <param name="tokenSource">Where the Entra token comes from.</param>
    /// <param name="roleArn">The role trusting the Entra OIDC provider.</param>
    /// <param name="options">Session name prefix, duration, refresh window, retries.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Logs refreshes (never credentials or tokens).</param>
    public WebIdentityCredentials(
        IAmazonSecurityTokenService sts,
        EntraWebIdentityTokenSource tokenSource,
        string roleArn,
        AwsOptions options,
        TimeProvider timeProvider,
        ILogger<WebIdentityCredentials> logger)
        : base(roleArn, options?.SessionDurationSeconds ?? throw new ArgumentNullException(nameof(options)), options, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentNullException.ThrowIfNull(tokenSource);
        _sts = sts;
        _tokenSource = tokenSource;
    }

    protected override string OperationName => "AssumeRoleWithWebIdentity";

    protected override async Task<Credentials> RequestCredentialsAsync(string sessionName, bool renewInput, CancellationToken cancellationToken)
    {
        // A new token on every attempt: the TokenCredential serves it from its cache unless it is near expiry.
        var token = await _tokenSource.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        _lastToken = token;
        var response = await _sts.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest
            {
                RoleArn = RoleArn,
                RoleSessionName = sessionName,
                DurationSeconds = DurationSeconds,
                WebIdentityToken = token.Reveal(),
            },
            cancellationToken).ConfigureAwait(false);
        return response.Credentials;
    }

    protected override IEnumerable<string?> SecretsSent() => [_lastToken?.Reveal()];

    protected override string? HintFor(AmazonServiceException exception)
    {
        var claims = _lastToken is null ? "" : $" The token had {_lastToken.DescribeClaims()}.";
        var audience = _tokenSource.Audience;
        var message = exception.Message ?? "";
        return exception.ErrorCode switch
        {
            "InvalidIdentityToken" when message.Contains("audience", StringComparison.OrdinalIgnoreCase) =>
                $"The app registration must issue v1 tokens (api.requestedAccessTokenVersion = 1) and the IAM OIDC provider's client ID list must contain '{audience}' (api://{{appId}}), the same value as IamKey:Aws:Audience.{claims}",
            "InvalidIdentityToken" when message.Contains("OpenIDConnect provider", StringComparison.OrdinalIgnoreCase) =>
                $"Create the IAM OIDC provider in the role's account with URL = the token's iss, https://sts.windows.net/{{tenantId}}/ (with the trailing slash).{claims}",
            "InvalidIdentityToken" =>
                $"STS did not accept the token: check the IAM OIDC provider URL (https://sts.windows.net/{{tenantId}}/) and client ID ('{audience}').{claims}",
            "AccessDenied" =>
                $"Check the role's trust policy: Principal.Federated is the OIDC provider's ARN, the action is sts:AssumeRoleWithWebIdentity, and the conditions are 'sts.windows.net/{{tenantId}}/:aud' = '{audience}' and ':sub' = the managed identity's object (principal) ID.{claims}",
            "ExpiredTokenException" =>
                $"STS saw the Entra token as expired even after a new one was fetched: check the host clock.{claims}",
            "IDPCommunicationError" =>
                "AWS could not reach Entra ID's signing keys after several attempts; this is usually transient, try again later.",
            "IDPRejectedClaim" =>
                $"STS rejected a claim of the token.{claims}",
            "RegionDisabledException" =>
                "STS is not activated in this region for the account: activate it or set IamKey:Aws:StsRegion to another region.",
            "ValidationError" when message.Contains("DurationSeconds", StringComparison.OrdinalIgnoreCase) =>
                "IamKey:Aws:SessionDurationSeconds exceeds the role's MaxSessionDuration: lower it or raise the role's maximum.",
            _ => null,
        };
    }
}
