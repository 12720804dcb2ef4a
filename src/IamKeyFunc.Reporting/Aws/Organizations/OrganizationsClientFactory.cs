using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Organizations;

/// <summary>
/// Builds an <see cref="OrganizationsClient"/> on the named <c>organizations</c> HttpClient and the shared signed request
/// pipeline, with the retry settings of <c>IamKey:Collection</c> and at most two requests in flight (Organizations
/// throttles per organization, and discovery walks the tree one parent at a time).
/// </summary>
public class OrganizationsClientFactory(
    IHttpClientFactory httpClientFactory,
    IOptions<CollectionOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    public const string HttpClientName = "organizations";
    private const int MaxConcurrentRequests = 2;

    public virtual OrganizationsClient Create(AWSCredentials credentials, AwsEndpoint endpoint, string accountLabel)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OrganizationsClient(new AwsRequestPipeline(
            httpClientFactory.CreateClient(HttpClientName),
            credentials,
            endpoint,
            AwsPipelineOptions.From(options.Value),
            new AdaptiveRatePacer(MaxConcurrentRequests, timeProvider),
            timeProvider,
            loggerFactory.CreateLogger<OrganizationsClient>(),
            accountLabel));
    }
}
