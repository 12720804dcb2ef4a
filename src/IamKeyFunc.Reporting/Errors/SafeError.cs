using Amazon.Runtime;
using Azure;
using Azure.Identity;

namespace IamKeyFunc.Reporting.Errors;

/// <summary>
/// Turns an account failure into the summary's <c>ErrorCode</c> and a message: the AWS or Azure error code when the
/// exception carries one, otherwise the exception type name. The message is the outermost cause's only (no inner
/// exceptions, no stack), on one line, redacted (<see cref="MessageText.Redact"/>), at most
/// <see cref="MaxMessageLength"/> characters. A service failure that kept its parts apart
/// (<see cref="ServiceException.Text"/>) keeps the operation, the error code, the hint and the request ID whole and
/// only its service text is shortened; any other message that is too long loses its middle, because the start names the
/// operation and the end usually says why.
/// </summary>
internal static class SafeError
{
    /// <summary>Room for the operation, AWS's message (at most 512 characters after redaction), a hint and the request ID.</summary>
    public const int MaxMessageLength = 1024;

    /// <param name="exception">The cause itself: a wrapper such as <c>AccountCollectionException</c> is unwrapped by its catcher.</param>
    /// <param name="hint">More advice to add after the exception's own (e.g. the member StackSet), kept whole.</param>
    public static AccountIssue From(Exception exception, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is ServiceException { Text: { } text })
        {
            return new AccountIssue(Code(exception), text.WithHint(hint).Compose(MaxMessageLength));
        }

        if (string.IsNullOrEmpty(hint))
        {
            return new AccountIssue(Code(exception), Shorten(exception.Message));
        }

        var advice = MessageText.OneLine(hint);
        return new AccountIssue(Code(exception), $"{Shorten(exception.Message, Math.Max(MaxMessageLength - advice.Length - 1, 64))} {advice}");
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
        MessageText.CutMiddle(MessageText.OneLine(MessageText.Redact(message)), maxLength);
}
