using System.Text.RegularExpressions;

namespace IamKeyFunc.Reporting.Errors;

/// <summary>How a service's or the app's error text is made safe and short before it reaches a log, a summary or an answer.</summary>
public static partial class MessageText
{
    /// <summary>Blanks anything JWT-shaped (an Entra or web-identity token quoted back by a service).</summary>
    public static string RedactTokens(string message) => Jwt().Replace(message ?? "", "[redacted token]");

    /// <summary>Collapses every run of whitespace (newlines included) to one space.</summary>
    public static string OneLine(string message) => Whitespace().Replace(message ?? "", " ").Trim();

    /// <summary>
    /// Bounds <paramref name="message"/> to <paramref name="maxLength"/> characters by cutting its middle: the start names
    /// the operation and the end usually says why (AWS's "... because no identity-based policy allows the sts:AssumeRole
    /// action", the setting to change).
    /// </summary>
    public static string CutMiddle(string message, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(message);
        const string Cut = " \u2026 ";
        if (message.Length <= maxLength)
        {
            return message;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Cut.Length + 2);
        var head = (maxLength - Cut.Length) / 2;
        var tail = maxLength - Cut.Length - head;
        return string.Concat(message.AsSpan(0, head).TrimEnd(), Cut, message.AsSpan(message.Length - tail).TrimStart());
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
