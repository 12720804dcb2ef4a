using System.Text.RegularExpressions;
using Amazon.Runtime;
using Azure;
using Azure.Identity;
using IamKeyFunc.Reporting.Collection;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>
/// Turns an account failure into the summary's <c>ErrorCode</c> and a short message: the AWS or Azure error code when the
/// exception carries one, otherwise the exception type name. The message is the outermost cause's only (no inner
/// exceptions, no stack), on one line, JWT-shaped text redacted, at most <see cref="MaxMessageLength"/> characters: a
/// longer one loses its middle, because the start names the operation and the end usually says why (AWS's
/// "... because no identity-based policy allows the sts:AssumeRole action", the setting to change).
/// </summary>
internal static partial class SafeError
{
    public const int MaxMessageLength = 300;

    public static AccountIssue From(Exception exception)
    {
        var cause = exception is AccountCollectionException { InnerException: { } inner } ? inner : exception;
        return new AccountIssue(Code(cause), Shorten(cause.Message));
    }

    private static string Code(Exception cause) => cause switch
    {
        ServiceException service => service.ErrorCode,
        AmazonServiceException aws when !string.IsNullOrEmpty(aws.ErrorCode) => aws.ErrorCode,
        RequestFailedException azure => azure.ErrorCode ?? $"Http{azure.Status}",
        CredentialUnavailableException => "CredentialUnavailable",
        AuthenticationFailedException => "AuthenticationFailed",
        TimeoutException or TaskCanceledException => "Timeout",
        _ => cause.GetType().Name,
    };

    internal static string Shorten(string message)
    {
        var oneLine = Whitespace().Replace(Jwt().Replace(message, "[redacted token]"), " ").Trim();
        if (oneLine.Length <= MaxMessageLength)
        {
            return oneLine;
        }

        const string Cut = " \u2026 ";
        var head = (MaxMessageLength - Cut.Length) / 2;
        var tail = MaxMessageLength - Cut.Length - head;
        return string.Concat(oneLine.AsSpan(0, head).TrimEnd(), Cut, oneLine.AsSpan(oneLine.Length - tail).TrimStart());
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
