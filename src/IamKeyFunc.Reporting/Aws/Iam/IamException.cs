using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Retries;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// Any failure of an IAM call: an AWS error response (code, HTTP status, request ID, Sender/Receiver), a transport
/// fault or timeout after the retries ran out, or a response we could not read. The message never contains
/// credentials or signatures.
/// </summary>
public sealed class IamException : ServiceException
{
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
        : base(message, errorCode, statusCode, requestId, innerException)
    {
        ErrorType = errorType;
        Operation = operation;
        Attempts = attempts;
    }

    public IamException()
        : this("The IAM request failed.")
    {
    }

    /// <summary><c>Sender</c> (our fault) or <c>Receiver</c> (AWS's fault), when AWS said so.</summary>
    public string? ErrorType { get; }

    /// <summary>The IAM action, e.g. <c>ListUsers</c>.</summary>
    public string? Operation { get; }

    /// <summary>How many HTTP attempts were made before giving up.</summary>
    public int Attempts { get; }

    public bool IsThrottling => RetryRules.IsThrottling(ErrorCode, Status);

    /// <summary>Worth retrying: throttling, 5xx, timeouts, connection faults, or a transient service code.</summary>
    public bool IsTransient => RetryRules.IsTransient(ErrorCode, Status);
}

/// <summary>Error codes this client produces itself (AWS's own codes pass through unchanged).</summary>
public static class IamErrorCodes
{
    public const string RequestTimeout = AwsPipelineErrorCodes.RequestTimeout;
    public const string ConnectionFailure = AwsPipelineErrorCodes.ConnectionFailure;
    public const string InvalidResponse = AwsPipelineErrorCodes.InvalidResponse;
    public const string PaginationLoop = "PaginationLoop";
    public const string TooManyPages = "TooManyPages";
    public const string CredentialReportTimeout = "CredentialReportTimeout";
    public const string InvalidCredentialReport = "InvalidCredentialReport";

    public const string ExpiredToken = AwsPipelineErrorCodes.ExpiredToken;
    public const string ExpiredTokenException = AwsPipelineErrorCodes.ExpiredTokenException;
    public const string ReportInProgress = "ReportInProgress";
    public const string ReportNotPresent = "ReportNotPresent";
    public const string ReportExpired = "ReportExpired";
    public const string LimitExceeded = "LimitExceeded";
}
