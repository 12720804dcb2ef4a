using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>Which Azure credential <see cref="FederationServiceCollectionExtensions.AddAzureTokenCredential"/> builds.</summary>
public enum AzureCredentialKind
{
    /// <summary><see cref="ManagedIdentityCredential"/> when the host exposes a managed identity endpoint (<c>IDENTITY_ENDPOINT</c> or <c>MSI_ENDPOINT</c>), else <see cref="DefaultAzureCredential"/>.</summary>
    Auto,

    /// <summary>Always <see cref="ManagedIdentityCredential"/> (in Azure).</summary>
    ManagedIdentity,

    /// <summary>Always <see cref="DefaultAzureCredential"/> (developer machines: Azure CLI, Visual Studio, environment, ...).</summary>
    Default,
}

public static class FederationServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> the Azure credential's requests go through.</summary>
    public const string IdentityHttpClientName = "IamKeyFunc.AzureIdentity";

    /// <summary>
    /// Registers the one <see cref="TokenCredential"/> of the app (unless one is registered already), honouring
    /// <c>IamKey:Identity:ManagedIdentityClientId</c> (user-assigned identity) and <c>IamKey:Identity:AuthorityHost</c>
    /// (sovereign clouds). Its HTTP goes through <see cref="IHttpClientFactory"/>; retries are Azure.Core's own.
    /// </summary>
    public static IServiceCollection AddAzureTokenCredential(this IServiceCollection services, IConfiguration configuration, AzureCredentialKind kind = AzureCredentialKind.Auto)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.SectionName));
        services.AddHttpClient(IdentityHttpClientName);
        var inAzure = !string.IsNullOrEmpty(configuration["IDENTITY_ENDPOINT"]) || !string.IsNullOrEmpty(configuration["MSI_ENDPOINT"]);
        var useManagedIdentity = kind == AzureCredentialKind.ManagedIdentity || (kind == AzureCredentialKind.Auto && inAzure);
        services.TryAddSingleton<TokenCredential>(provider =>
        {
            var identity = provider.GetRequiredService<IOptions<IdentityOptions>>().Value;
            var transport = new HttpClientTransport(provider.GetRequiredService<IHttpClientFactory>().CreateClient(IdentityHttpClientName));
            return useManagedIdentity ? CreateManagedIdentityCredential(identity, transport) : CreateDefaultCredential(identity, transport);
        });
        return services;
    }

    /// <summary>
    /// Registers the AWS federation: <c>IamKey:Aws</c> options (data annotations + <see cref="AwsOptionsValidator"/>,
    /// validated at start), the Azure token credential, <see cref="EntraWebIdentityTokenSource"/>,
    /// <see cref="AwsSdkChainSource"/>, <see cref="StsClientFactory"/> (named HTTP client <see cref="StsClientFactory.HttpClientName"/>)
    /// and <see cref="AwsSessionProvider"/>.
    /// </summary>
    public static IServiceCollection AddAwsFederation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<AwsOptions>()
            .Bind(configuration.GetSection(AwsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.AddAzureTokenCredential(configuration);
        services.TryAddSingleton(TimeProvider.System);

        // No resilience handler: the AWS SDK retries STS calls itself (StsMaxErrorRetry); stacking would multiply attempts.
        services.AddHttpClient(StsClientFactory.HttpClientName);
        services.TryAddSingleton<StsClientFactory>();
        services.TryAddSingleton<EntraWebIdentityTokenSource>();
        services.TryAddSingleton<AwsSdkChainSource>();
        services.TryAddSingleton<AwsSessionProvider>();
        return services;
    }

    private static ManagedIdentityCredential CreateManagedIdentityCredential(IdentityOptions identity, HttpPipelineTransport transport)
    {
        var id = string.IsNullOrWhiteSpace(identity.ManagedIdentityClientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(identity.ManagedIdentityClientId);
        var options = new ManagedIdentityCredentialOptions(id) { Transport = transport };
        if (identity.AuthorityHost is not null)
        {
            options.AuthorityHost = identity.AuthorityHost;
        }

        return new ManagedIdentityCredential(options);
    }

    private static DefaultAzureCredential CreateDefaultCredential(IdentityOptions identity, HttpPipelineTransport transport)
    {
        var options = new DefaultAzureCredentialOptions { Transport = transport };
        if (!string.IsNullOrWhiteSpace(identity.ManagedIdentityClientId))
        {
            options.ManagedIdentityClientId = identity.ManagedIdentityClientId;
        }

        if (identity.AuthorityHost is not null)
        {
            options.AuthorityHost = identity.AuthorityHost;
        }

        return new DefaultAzureCredential(options);
    }
}
