using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>Builds one <see cref="IamClient"/> per account session on the named <c>iam</c> HttpClient.</summary>
public class IamClientFactory(
    IHttpClientFactory httpClientFactory,
    IOptions<CollectionOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    public const string HttpClientName = "iam";

    /// <summary>A client for one account session; keep it for the whole run so its limiter and stats are shared.</summary>
    public virtual IamClient Create(AwsAccountSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Create(session.Credentials, session.IamEndpoint, session.IamSigningRegion, session.AccountId);
    }

    /// <summary>A client for one account; keep it for the whole run so its limiter and stats are shared.</summary>
    public virtual IamClient Create(AWSCredentials credentials, Uri iamEndpoint, string signingRegion, string accountLabel) =>
        new(httpClientFactory.CreateClient(HttpClientName), credentials, iamEndpoint, signingRegion,
            options.Value, timeProvider, loggerFactory.CreateLogger<IamClient>(), accountLabel);
}

public static class IamClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the named <c>iam</c> HttpClient and <see cref="IamClientFactory"/>. The client has no resilience
    /// handler: retries, pacing and the per-attempt deadline (<c>IamKey:Collection:RequestTimeout</c>, covering the whole
    /// body) live in <see cref="Pipeline.AwsRequestPipeline"/>, because each attempt must be re-signed. Its
    /// <see cref="HttpClient.Timeout"/> is the same deadline again, as a backstop. Binding and validating
    /// <see cref="CollectionOptions"/> is the composition root's job.
    /// </summary>
    public static IServiceCollection AddIamClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CollectionOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IamClientFactory>();
        services.AddHttpClient(IamClientFactory.HttpClientName, (provider, client) =>
            client.Timeout = provider.GetRequiredService<IOptions<CollectionOptions>>().Value.RequestTimeout);
        return services;
    }
}
