using System.Net;

namespace IamKeyFunc.Reporting.Aws;

/// <summary>
/// Any failure of an IAM call: an AWS error response (code, HTTP status, request ID, Sender/Receiver), a transport
/// fault or timeout after the retries ran out, or a response we could not read. The message never contains
/// credentials or signatures.
/// </summary>
public sealed class IamException : Exception
{
    /// <summary>Codes that mean "slow down"; IAM sends <c>Throttling</c> with HTTP 400.</summary>
    internal static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled",
        "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException",
        "SlowDown", "BandwidthLimitExceeded", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    /// <summary>Codes for a service-side fault that is worth retrying whatever the status.</summary>
    internal static readonly IReadOnlySet<string> TransientCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure", "ServiceFailure",
        "RequestTimeout", "RequestTimeoutException",
    };

    public IamException(string message)
        : this(message, errorCode: "Unknown", statusCode: 0)
    {
    }

    public IamException(string message, Exception innerException)
        : this(message, errorCode: "Unknown", statusCode: 0, innerException: innerException)
    {
    }

    public IamException(
        string message,
        string errorCode,
        int statusCode,
        string? requestId = null,
        string? errorType = null,
        string? operation = null,
        int attempts = 1,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
        ErrorType = errorType;
        Operation = operation;
        Attempts = attempts;
    }

    public IamException()
        : this("The IAM request failed.")
    {
    }

    /// <summary>The AWS error code (<c>AccessDenied</c>, <c>Throttling</c>, ...), or our own for non-AWS failures
    /// (<c>RequestTimeout</c>, <c>ConnectionFailure</c>, <c>InvalidResponse</c>, <c>CredentialReportTimeout</c>).</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status of the last response, or 0 when none arrived.</summary>
    public int StatusCode { get; }

    public string? RequestId { get; }

    /// <summary><c>Sender</c> (our fault) or <c>Receiver</c> (AWS's fault), when AWS said so.</summary>
    public string? ErrorType { get; }

    /// <summary>The IAM action, e.g. <c>ListUsers</c>.</summary>
    public string? Operation { get; }

    /// <summary>How many HTTP attempts were made before giving up.</summary>
    public int Attempts { get; }

    public bool IsThrottling => IsThrottlingError(ErrorCode, StatusCode);

    /// <summary>Worth retrying: throttling, 5xx, timeouts, connection faults, or a transient service code.</summary>
    public bool IsTransient => IsTransientError(ErrorCode, StatusCode);

    internal static bool IsThrottlingError(string errorCode, int statusCode) =>
        ThrottlingCodes.Contains(errorCode) || statusCode == (int)HttpStatusCode.TooManyRequests;

    internal static bool IsTransientError(string errorCode, int statusCode) =>
        IsThrottlingError(errorCode, statusCode) || statusCode >= 500 || TransientCodes.Contains(errorCode)
        || errorCode is IamErrorCodes.RequestTimeout or IamErrorCodes.ConnectionFailure;
}

/// <summary>Error codes this client produces itself (AWS's own codes pass through unchanged).</summary>
public static class IamErrorCodes
{
    public const string RequestTimeout = "RequestTimeout";
    public const string ConnectionFailure = "ConnectionFailure";
    public const string InvalidResponse = "InvalidResponse";
    public const string CredentialReportTimeout = "CredentialReportTimeout";
    public const string InvalidCredentialReport = "InvalidCredentialReport";

    public const string ExpiredToken = "ExpiredToken";
    public const string ExpiredTokenException = "ExpiredTokenException";
    public const string ReportInProgress = "ReportInProgress";
    public const string ReportNotPresent = "ReportNotPresent";
    public const string ReportExpired = "ReportExpired";
    public const string LimitExceeded = "LimitExceeded";
}
