namespace IamKeyFunc.Reporting.Records;

/// <summary>
/// The one account-ID rule: exactly 12 ASCII digits (<c>0</c>-<c>9</c>; other Unicode digits such as Arabic-Indic
/// ones are refused). Used by the settings, the account directory, the HTTP refresh and the CLI.
/// </summary>
public static class AccountId
{
    public const int Length = 12;

    public static bool IsValid(string? value) => value is { Length: Length } && value.All(char.IsAsciiDigit);

    /// <summary>The message for a malformed ID, e.g. <c>account '12345' is not an AWS account ID (12 digits).</c></summary>
    public static string NotAnAccountId(string label, string value) => $"{label} '{value}' is not an AWS account ID (12 digits).";
}
