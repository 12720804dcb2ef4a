using IamKeyFunc.Reporting.Errors;
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


    /// <summary>The STS operation that failed (<c>AssumeRoleWithWebIdentity</c>, <c>AssumeRole</c>), when STS answered.</summary>
    public string? Operation { get; private init; }

    /// <summary>
    /// STS's error as an exception that carries no secret: its text is redacted against <paramref name="secrets"/> (what
    /// the request carried: the web-identity token, the source session's keys) and token shapes, and the SDK's
    /// exception (whose message is STS's raw text) is replaced by a copy with the redacted text.
    /// </summary>
    internal static AwsFederationException FromSts(AmazonServiceException exception, string roleArn, string operation, string? hint, IEnumerable<string?> secrets)
    {
        var code = string.IsNullOrEmpty(exception.ErrorCode) ? null : exception.ErrorCode;
        var known = secrets.ToList();
        // STS text can echo what was signed or sent (as IAM's can): redact it the same way before it reaches a log or summary.
        var stsMessage = AwsRequestPipeline.Redact(exception.Message ?? "", known);
        var text = new ServiceErrorText(
            $"STS {operation} for {roleArn} failed with {code ?? "an error"} (HTTP {(int)exception.StatusCode})",
            stsMessage,
            string.IsNullOrEmpty(hint) ? null : hint,
            string.IsNullOrEmpty(exception.RequestId) ? null : exception.RequestId);
        var safeCause = new AmazonServiceException(stsMessage, null, exception.ErrorType, exception.ErrorCode, exception.RequestId, exception.StatusCode);
        return new AwsFederationException(text.ToString(), code, roleArn, exception.StatusCode, exception.RequestId, safeCause)
        {
            Operation = operation,
            Text = text,
        };
    }
}
