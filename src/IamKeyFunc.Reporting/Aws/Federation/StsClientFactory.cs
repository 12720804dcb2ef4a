using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// Builds <c>AWSSDK.SecurityToken</c> clients for the configured endpoint: <see cref="AwsOptions.StsEndpoint"/> or the
/// partition's regional endpoint, with <c>AuthenticationRegion</c> set for SigV4. Their HTTP goes through
/// <see cref="IHttpClientFactory"/> (named client <see cref="HttpClientName"/>), so there is one outbound path; retries
/// are the SDK's own (<see cref="AwsOptions.StsMaxErrorRetry"/>, standard mode), so that client has no resilience handler.
/// </summary>
public class StsClientFactory
{
    /// <summary>The named <see cref="HttpClient"/> STS calls go through.</summary>
    public const string HttpClientName = "IamKeyFunc.Sts";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AwsOptions _options;

    public StsClientFactory(IHttpClientFactory httpClientFactory, IOptions<AwsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
    }

    /// <summary>Mocking constructor.</summary>
    protected StsClientFactory()
    {
        _httpClientFactory = null!;
        _options = null!;
    }

    /// <summary>The STS endpoint used for <paramref name="partition"/>.</summary>
    public Uri EndpointFor(AwsPartition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return _options.StsEndpoint ?? partition.StsEndpoint(string.IsNullOrEmpty(_options.StsRegion) ? null : _options.StsRegion);
    }

    /// <summary>The SigV4 region of STS for <paramref name="partition"/>.</summary>
    public string RegionFor(AwsPartition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return string.IsNullOrEmpty(_options.StsRegion) ? partition.HomeRegion : _options.StsRegion;
    }

    /// <summary>
    /// An STS client for <paramref name="partition"/>. Without <paramref name="credentials"/> it is anonymous, for the
    /// unsigned <c>AssumeRoleWithWebIdentity</c>; with them, <c>AssumeRole</c> is SigV4-signed with those credentials.
    /// The caller disposes the client.
    /// </summary>
    public virtual IAmazonSecurityTokenService Create(AwsPartition partition, AWSCredentials? credentials = null)
    {
        var config = new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = EndpointFor(partition).ToString(),
            AuthenticationRegion = RegionFor(partition),
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = _options.StsMaxErrorRetry,
            Timeout = _options.StsTimeout,
            IgnoreConfiguredEndpointUrls = true,
            HttpClientFactory = new SdkHttpClientFactory(_httpClientFactory, HttpClientName),
        };
        return new StsClient(credentials ?? new AnonymousAWSCredentials(), config, (int)_options.StsMaxRetryBackoff.TotalMilliseconds);
    }

    /// <summary>The SDK's STS client with the backoff cap of its own retry policy set from the options.</summary>
    private sealed class StsClient(AWSCredentials credentials, AmazonSecurityTokenServiceConfig config, int maxBackoffMilliseconds)
        : AmazonSecurityTokenServiceClient(credentials, config)
    {
        // Initialised before the base constructor runs, which is where the pipeline is customised.
        private readonly int _maxBackoffMilliseconds = maxBackoffMilliseconds;

        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            foreach (var handler in pipeline.Handlers.OfType<RetryHandler>())
            {
                if (handler.RetryPolicy is StandardRetryPolicy policy)
                {
                    policy.MaxBackoffInMilliseconds = _maxBackoffMilliseconds;
                }
            }
        }
    }

    /// <summary>Hands the AWS SDK clients from <see cref="IHttpClientFactory"/> (pooled handlers; the SDK disposes each client after use).</summary>
    private sealed class SdkHttpClientFactory(IHttpClientFactory factory, string name) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var client = factory.CreateClient(name);
            if (clientConfig.Timeout is { } timeout)
            {
                client.Timeout = timeout;
            }

            return client;
        }

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
    }
}
