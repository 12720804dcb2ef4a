using Azure;
using Azure.Core;
using Azure.Identity;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// Gets the Entra ID access token that AWS STS trades for a role session: scope <c>{Audience}/.default</c>, where
/// the audience is our own app registration's identifier URI <c>api://{appId}</c>.
/// </summary>
/// <remarks>
/// The app registration must issue <b>v1</b> tokens (<c>api.requestedAccessTokenVersion = 1</c>). A v1 token has
/// <c>iss = https://sts.windows.net/{tenant}/</c> and <c>aud = api://{appId}</c>, which is what the IAM OIDC
/// provider and the role trust policy match. A v2 access token carries <c>iss = …/v2.0</c> and an <c>azp</c> claim
/// (the calling client) that STS maps to the <c>:aud</c> condition key, so STS answers
/// <c>InvalidIdentityToken: Incorrect token audience</c>. Token caching is the <see cref="TokenCredential"/>'s job
/// (managed identity and MSAL cache per resource); this class asks once per STS refresh.
/// </remarks>
public partial class EntraWebIdentityTokenSource
{
    private readonly TokenCredential _credential;
    private readonly ILogger _logger;

    public EntraWebIdentityTokenSource(TokenCredential credential, IOptions<AwsOptions> options, ILogger<EntraWebIdentityTokenSource> logger)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _credential = credential;
        _logger = logger;
        Audience = options.Value.Audience.TrimEnd('/');
        Scope = Audience + "/.default";
    }

    /// <summary>Mocking constructor.</summary>
    protected EntraWebIdentityTokenSource()
    {
        _credential = null!;
        _logger = null!;
        Audience = "";
        Scope = "";
    }

    /// <summary>The app registration's identifier URI, <c>api://{appId}</c>.</summary>
    public string Audience { get; }

    /// <summary>The scope asked of Entra: <c>api://{appId}/.default</c>.</summary>
    public string Scope { get; }

    /// <summary>Gets a token for <see cref="Scope"/>; failures become <see cref="AwsFederationException"/> (<c>EntraTokenUnavailable</c>).</summary>
    public virtual async Task<WebIdentityToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        AccessToken accessToken;
        try
        {
            accessToken = await _credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationFailedException or RequestFailedException)
        {
            throw new AwsFederationException(
                $"Could not get an Entra ID token for {Scope}: {ex.Message} " +
                "In Azure, check that the Function has a managed identity (set IamKey:Identity:ManagedIdentityClientId for a user-assigned one) " +
                "and that the app registration has a service principal in the tenant (AADSTS500011 otherwise); locally, sign in with 'az login'.",
                AwsFederationException.EntraTokenUnavailable,
                roleArn: null,
                innerException: ex);
        }

        var token = new WebIdentityToken(accessToken.Token, accessToken.ExpiresOn);
        LogTokenReceived(_logger, Scope, token.Issuer, token.Audience, token.Version, token.ExpiresOn);
        if (token.Version == "2.0")
        {
            LogV2Token(_logger, Scope);
        }

        return token;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Got an Entra ID token for {Scope}: iss={Issuer}, aud={Audience}, ver={Version}, expires {ExpiresOn:O}")]
    private static partial void LogTokenReceived(ILogger logger, string scope, string? issuer, string? audience, string? version, DateTimeOffset expiresOn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Entra ID token for {Scope} is a v2 token; AWS STS rejects it with 'Incorrect token audience'. Set the app registration's api.requestedAccessTokenVersion to 1.")]
    private static partial void LogV2Token(ILogger logger, string scope);
}
