using Amazon.Runtime;
using Azure;
using Azure.Identity;

namespace IamKeyFunc.Reporting.Errors;

/// <summary>
/// Turns an account failure into the summary's <c>ErrorCode</c> and a short message: the AWS or Azure error code when the
/// exception carries one, otherwise the exception type name. The message is the outermost cause's only (no inner
/// exceptions, no stack), on one line, JWT-shaped text redacted, at most <see cref="MaxMessageLength"/> characters: a
/// longer one loses its middle, because the start names the operation and the end usually says why (AWS's
/// "... because no identity-based policy allows the sts:AssumeRole action", the setting to change).
/// </summary>
internal static class SafeError
{
    public const int MaxMessageLength = 300;

    /// <param name="exception">The cause itself: a wrapper such as <c>AccountCollectionException</c> is unwrapped by its catcher.</param>
    public static AccountIssue From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new AccountIssue(Code(exception), Shorten(exception.Message));
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

    internal static string Shorten(string message, int maxLength = MaxMessageLength) =>
        MessageText.CutMiddle(MessageText.OneLine(MessageText.RedactTokens(message)), maxLength);
}
