namespace IamKeyFunc.Reporting.Errors;

/// <summary>
/// The parts of a service failure's message, so that a message cut to fit keeps what a person needs: what was called
/// and how it failed (<paramref name="Operation"/>), the service's own text, what to do (<paramref name="Hint"/>), and
/// the request ID for the service's support. Only the service's text is ever shortened.
/// </summary>
/// <param name="Operation">What failed, with the error code and status, e.g. <c>STS AssumeRole for arn:… failed with AccessDenied (HTTP 403)</c>.</param>
/// <param name="ServiceMessage">The service's message, already redacted.</param>
/// <param name="Hint">What to check or change; null for none.</param>
/// <param name="RequestId">The service's request ID; null for none.</param>
public sealed record ServiceErrorText(string Operation, string ServiceMessage, string? Hint = null, string? RequestId = null)
{
    /// <summary>The service text is not cut below this many characters; below it the whole message is cut in the middle instead.</summary>
    private const int MinServiceMessage = 40;

    /// <summary>The same text with <paramref name="more"/> after the hint (null: unchanged).</summary>
    public ServiceErrorText WithHint(string? more) => string.IsNullOrEmpty(more) ? this : this with { Hint = Hint is null ? more : $"{Hint} {more}" };

    /// <summary>
    /// <c>{Operation}: {ServiceMessage} {Hint} (request ID {RequestId})</c>, redacted, on one line, at most
    /// <paramref name="maxLength"/> characters: when longer, only the service's text loses its middle.
    /// </summary>
    public string Compose(int maxLength)
    {
        var operation = Clean(Operation);
        var service = Clean(ServiceMessage);
        var after = (Hint is { Length: > 0 } hint ? " " + Clean(hint) : "") + (RequestId is { Length: > 0 } id ? $" (request ID {Clean(id)})" : "");
        var budget = maxLength - operation.Length - 2 - after.Length;
        if (service.Length > budget && budget < MinServiceMessage)
        {
            return MessageText.CutMiddle($"{operation}: {service}{after}", maxLength);
        }

        return $"{operation}: {MessageText.CutMiddle(service, Math.Max(budget, MinServiceMessage))}{after}";
    }

    public override string ToString() => Compose(int.MaxValue);

    private static string Clean(string text) => MessageText.OneLine(MessageText.Redact(text));
}
