using System.Net;

namespace IamKeyFunc.Reporting.Retries;

/// <summary>Which failures are worth another attempt, for every client (AWS codes and HTTP statuses alike).</summary>
public static class RetryRules
{
    /// <summary>AWS codes that mean "slow down"; IAM sends <c>Throttling</c> with HTTP 400.</summary>
    internal static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled",
        "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException",
        "SlowDown", "BandwidthLimitExceeded", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    /// <summary>AWS codes for a service-side fault that is worth retrying whatever the status.</summary>
    internal static readonly IReadOnlySet<string> TransientCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure", "ServiceFailure",
        "RequestTimeout", "RequestTimeoutException", "ConnectionFailure",
    };

    public static bool IsThrottling(string errorCode, int status) =>
        ThrottlingCodes.Contains(errorCode) || status == (int)HttpStatusCode.TooManyRequests;

    /// <summary>Throttling, 5xx, timeouts, connection faults, or a transient service code.</summary>
    public static bool IsTransient(string errorCode, int status) =>
        IsThrottling(errorCode, status) || status >= 500 || TransientCodes.Contains(errorCode);

    /// <summary>Azure answers worth another attempt: 429 and transient server faults (500, 502, 503, 504); no other 4xx.</summary>
    public static bool IsRetryable(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout;

    /// <summary>Connection faults and per-attempt timeouts (not the caller's cancellation).</summary>
    public static bool IsTransientFault(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
