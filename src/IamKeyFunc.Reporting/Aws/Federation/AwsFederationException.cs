using System.Net;
using Amazon.Runtime;

using IamKeyFunc.Reporting.Aws.Pipeline;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// Getting into AWS failed: the Entra token could not be had, or STS refused a role. One exception type for the
/// whole federation path, carrying the STS error code, HTTP status and request ID, the role that was being assumed,
/// and a message that says what to fix. Never carries a token, secret key or session token.
/// </summary>
public sealed class AwsFederationException : ServiceException
{
    /// <summary>Error code of a token that Entra could not issue (managed identity missing, app registration without a service principal, ...).</summary>
    public const string EntraTokenUnavailable = "EntraTokenUnavailable";

    /// <summary>Error code when no AWS credentials were found in the SDK chain (<c>CredentialSource = AwsSdkChain</c>).</summary>
    public const string AwsCredentialsNotFound = "AwsCredentialsNotFound";

    /// <summary>Error code when STS could not be reached (connection faults, timeouts after the SDK's retries).</summary>
    public const string StsUnreachable = "StsUnreachable";

    /// <summary>Error code when STS handed out credentials that were already expired by the local clock.</summary>
    public const string CredentialsAlreadyExpired = "CredentialsAlreadyExpired";

    public AwsFederationException(
        string message,
        string? errorCode,
        string? roleArn,
        HttpStatusCode? statusCode = null,
        string? requestId = null,
        Exception? innerException = null)
        : base(message, string.IsNullOrEmpty(errorCode) ? UnknownStsError : errorCode, (int)(statusCode ?? 0), requestId, innerException)
    {
        RoleArn = roleArn;
    }

    /// <summary>Error code when STS answered without one.</summary>
    public const string UnknownStsError = "StsError";

    /// <summary>The role being assumed when it failed.</summary>
    public string? RoleArn { get; }


    internal static AwsFederationException FromSts(AmazonServiceException exception, string roleArn, string operation, string? hint)
    {
        var code = string.IsNullOrEmpty(exception.ErrorCode) ? null : exception.ErrorCode;
        // STS text can echo what was signed or sent (as IAM's can): redact it the same way before it reaches a log or summary.
        var message = $"STS {operation} for {roleArn} failed with {code ?? "an error"} (HTTP {(int)exception.StatusCode}): {AwsRequestPipeline.Redact(exception.Message, null, null)}";
        if (!string.IsNullOrEmpty(hint))
        {
            message += " " + hint;
        }

        if (!string.IsNullOrEmpty(exception.RequestId))
        {
            message += $" (request ID {exception.RequestId})";
        }

        return new AwsFederationException(message, code, roleArn, exception.StatusCode, exception.RequestId, exception);
    }
}
