namespace IamKeyFunc.Reporting.Errors;

/// <summary>
/// The base of every service client's failure (IAM, STS, Key Vault, Data Collector, Logs Ingestion): the service's own
/// error code (or the client's, e.g. <c>RequestTimeout</c>), the HTTP status of the last answer (0 when none came back)
/// and the service's request ID. Messages never carry credentials, tokens or signatures.
/// </summary>
public abstract class ServiceException : Exception
{
    protected ServiceException(string message, string errorCode, int status, string? requestId, Exception? innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        Status = status;
        RequestId = requestId;
    }

    /// <summary>The service's error code (<c>AccessDenied</c>, <c>SecretNotFound</c>, ...) or the client's own.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status of the last answer; 0 when no answer came back.</summary>
    public int Status { get; }

    /// <summary>The service's request ID (for its support), when it answered with one.</summary>
    public string? RequestId { get; }

    /// <summary>The message's parts, when the client kept them apart: a summary then shortens only the service's text (see <see cref="SafeError"/>).</summary>
    public ServiceErrorText? Text { get; init; }
}
