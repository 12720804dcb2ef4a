namespace IamKeyFunc.Reporting.Errors;

/// <summary>An error or warning code with a short message that is safe to log and store (no secrets).</summary>
public sealed record AccountIssue(string Code, string Message)
{
    /// <summary>
    /// Both issues as one, for the summary's one <c>ErrorCode</c> and <c>ErrorMessage</c>: the codes comma-separated,
    /// the messages one after the other; either may be null.
    /// </summary>
    public static AccountIssue? Combine(AccountIssue? first, AccountIssue? second) => (first, second) switch
    {
        (null, _) => second,
        (_, null) => first,
        _ => new AccountIssue($"{first.Code},{second.Code}", $"{first.Message} {second.Message}"),
    };
}
