namespace IamKeyFunc.Reporting.Errors;

/// <summary>An error or warning code with a short message that is safe to log and store (no secrets).</summary>
public sealed record AccountIssue(string Code, string Message);
