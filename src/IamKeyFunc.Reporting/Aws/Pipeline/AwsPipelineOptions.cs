using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>The attempt rules of <see cref="AwsRequestPipeline"/>.</summary>
/// <param name="MaxAttempts">Attempts per call, counting the first (credential refreshes and clock corrections are free).</param>
/// <param name="RetryBaseDelay">First backoff ceiling; doubles per retry (full jitter).</param>
/// <param name="RetryMaxDelay">Largest backoff.</param>
/// <param name="RequestTimeout">Deadline of one attempt, from sending until the whole body has arrived.</param>
public sealed record AwsPipelineOptions(int MaxAttempts, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay, TimeSpan RequestTimeout)
{
    /// <summary>The pipeline settings of <c>IamKey:Collection</c>.</summary>
    public static AwsPipelineOptions From(CollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.MaxAttempts, options.RetryBaseDelay, options.RetryMaxDelay, options.RequestTimeout);
    }
}
