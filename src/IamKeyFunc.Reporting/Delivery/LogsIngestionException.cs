using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The Logs Ingestion API refused an upload (or it could not be sent). Carries the service's error code (from
/// <c>{"error":{"code"}}</c> or <c>x-ms-error-code</c>), the HTTP status (0 when no answer came back) and the request ID.
/// </summary>
public sealed class LogsIngestionException : ServiceException
{
    public LogsIngestionException(string message, int status, string? errorCode, string? requestId, Exception? innerException = null)
        : base(message, errorCode ?? (status == 0 ? "ConnectionFailure" : $"Http{status}"), status, requestId, innerException)
    {
    }

    /// <summary>Requests made before giving up (0 when nothing was sent).</summary>
    public int Attempts { get; internal set; }

    /// <summary>
    /// True when sending the same body later may succeed: the attempts ran out on throttling, server faults, timeouts or
    /// connection faults, or no token could be had. False when the service refused the request itself.
    /// </summary>
    public bool IsTransient { get; internal set; }
}
