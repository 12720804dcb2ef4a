using System.Buffers.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

    public DevelopmentTokenCredential(string token, string awsAudience)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentException.ThrowIfNullOrWhiteSpace(awsAudience);
        _token = token.Trim();
        _scope = awsAudience.TrimEnd('/') + "/.default";
        _expiresOn = ReadExpiry(_token);
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        requestContext.Scopes is [var scope] && string.Equals(scope, _scope, StringComparison.OrdinalIgnoreCase)
            ? new AccessToken(_token, _expiresOn)
            : throw new CredentialUnavailableException(
                $"IamKey:Identity:DevelopmentToken only answers the AWS audience scope {_scope}, not {string.Join(' ', requestContext.Scopes)}. " +
                "Key Vault and Logs Ingestion need a real identity: use IamKey:Delivery:Sink=None (or iamkeys collect --output) with a development token.");

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    public override string ToString() => $"DevelopmentTokenCredential({_scope}, expires {_expiresOn:u})";

    /// <summary>The JWT's <c>exp</c> claim.</summary>
    private static DateTimeOffset ReadExpiry(string token)
    {
        var parts = token.Split('.');
        try
        {
            using var claims = JsonDocument.Parse(parts.Length == 3 ? Base64Url.DecodeFromChars(parts[1]) : []);
            if (claims.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds))
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            // Reported below without echoing the token.
        }

        throw new ArgumentException("IamKey:Identity:DevelopmentToken must be a JWT with an exp claim (e.g. the test token iamkeys emulator prints).", nameof(token));
    }
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
            services.TryAddSingleton<TokenCredential>(_ => new DevelopmentTokenCredential(token, audience));
        }

        return services;
    }
}
