using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// STS role session names: <c>{prefix}-{yyyyMMddTHHmmss}</c>, made valid for STS (2-64 characters of
/// <c>[\w+=,.@-]</c>). The name shows up in CloudTrail as the session of every IAM call the run makes.
/// </summary>
public static partial class RoleSessionName
{
    /// <summary>STS's <c>^[\w+=,.@-]{2,64}$</c>, with <c>\w</c> spelled out as ASCII.</summary>
    public const string Pattern = @"^[A-Za-z0-9_+=,.@-]{2,64}$";

    private const int MaxLength = 64;
    private const string Fallback = "iamkeyfunc";

    /// <summary>Builds a valid session name from a prefix and the current time.</summary>
    public static string Create(string? prefix, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        var cleanPrefix = Sanitize(prefix);
        if (cleanPrefix.Length == 0)
        {
            cleanPrefix = Fallback;
        }

        // Keep the timestamp whole; shorten the prefix if needed.
        var maxPrefix = MaxLength - stamp.Length - 1;
        if (cleanPrefix.Length > maxPrefix)
        {
            cleanPrefix = cleanPrefix[..maxPrefix];
        }

        return $"{cleanPrefix}-{stamp}";
    }

    public static bool IsValid(string? name) => name is not null && NameRegex().IsMatch(name);

    private static string Sanitize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "";
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value.Trim())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c, StringComparison.Ordinal) ? c : '-');
        }

        return builder.ToString();
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}
