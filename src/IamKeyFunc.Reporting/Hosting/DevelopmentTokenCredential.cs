using Azure.Core;
using Azure.Identity;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Reporting.Hosting;

/// <summary>
/// The <see cref="TokenCredential"/> behind <see cref="IdentityOptions.DevelopmentToken"/>: hands out one fixed JWT for
/// the AWS audience scope (<c>{IamKey:Aws:Audience}/.default</c>) and refuses every other scope, so it can never stand
/// in for Key Vault or Azure Monitor. For local runs against the loopback AWS emulator; never in Azure.
/// </summary>
public sealed class DevelopmentTokenCredential : TokenCredential
{
    private readonly string _token;
    private readonly string _scope;
    private readonly DateTimeOffset _expiresOn;
    private readonly ILogger? _logger;
    private int _warned;

    public DevelopmentTokenCredential(string token, string awsAudience, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentException.ThrowIfNullOrWhiteSpace(awsAudience);
        _token = token.Trim();
        _scope = awsAudience.TrimEnd('/') + "/.default";
        _expiresOn = DevelopmentToken.TryReadExpiry(_token, out var expiresOn) ? expiresOn : throw new ArgumentException(DevelopmentToken.NotAJwt, nameof(token));
        _logger = logger;
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        if (requestContext.Scopes is not [var scope] || !string.Equals(scope, _scope, StringComparison.OrdinalIgnoreCase))
        {
            throw new CredentialUnavailableException(
                $"IamKey:Identity:DevelopmentToken only answers the AWS audience scope {_scope}, not {string.Join(' ', requestContext.Scopes)}. " +
                "Key Vault and Logs Ingestion need a real identity: use IamKey:Delivery:Sink=None (or iamkeys collect --output) with a development token.");
        }

        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            _logger?.LogWarning(
                "IamKey:Identity:DevelopmentToken is in use: AWS federation presents a fixed development token instead of an Azure identity's. " +
                "For local runs against an emulator only; never set it in Azure.");
        }

        return new AccessToken(_token, _expiresOn);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    public override string ToString() => $"DevelopmentTokenCredential({_scope}, expires {_expiresOn:u})";
}

public static class DevelopmentTokenServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DevelopmentTokenCredential"/> as the app's <see cref="TokenCredential"/> when
    /// <c>IamKey:Identity:DevelopmentToken</c> is set. Call it before <c>AddIamKeyReporting</c>, whose credential
    /// registration only fills the gap.
    /// </summary>
    public static IServiceCollection AddDevelopmentTokenCredential(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var token = configuration[$"{IdentityOptions.SectionName}:{nameof(IdentityOptions.DevelopmentToken)}"];
        if (!string.IsNullOrWhiteSpace(token))
        {
            var audience = configuration[$"{AwsOptions.SectionName}:{nameof(AwsOptions.Audience)}"] ?? "";
            services.TryAddSingleton<TokenCredential>(provider =>
                new DevelopmentTokenCredential(token, audience, provider.GetService<ILogger<DevelopmentTokenCredential>>()));
        }

        return services;
    }
}
