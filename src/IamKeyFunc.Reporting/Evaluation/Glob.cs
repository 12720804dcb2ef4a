using System.Text;
using System.Text.RegularExpressions;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// A shell-style pattern: <c>*</c> any run of characters, <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c> and
/// <c>[!a-z]</c> one character of (or not of) a set, <c>\</c> escapes the next character. Matching is whole-string
/// and ordinal, optionally ignoring case (IAM user names and actions are case-insensitive).
/// </summary>
public sealed class Glob
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private readonly Regex _regex;

    private Glob(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    public string Pattern { get; }

    public bool IsMatch(string value) => _regex.IsMatch(value);

    /// <summary>Parses <paramref name="pattern"/>; false with the reason when it does not parse.</summary>
    public static bool TryParse(string pattern, bool ignoreCase, out Glob? glob, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        glob = null;
        error = null;
        if (pattern.Length == 0)
        {
            error = "the pattern is empty";
            return false;
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '\\':
                    if (++i == pattern.Length)
                    {
                        error = "it ends with an escape character '\\'";
                        return false;
                    }

                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1 < pattern.Length && pattern[i + 1] == '!' ? i + 2 : i + 1);
                    if (end < 0)
                    {
                        error = $"the '[' at position {i + 1} is never closed";
                        return false;
                    }

                    var set = pattern[(i + 1)..end];
                    var negated = set.StartsWith('!');
                    var members = negated ? set[1..] : set;
                    if (members.Length == 0)
                    {
                        error = $"the set at position {i + 1} is empty";
                        return false;
                    }

                    regex.Append(negated ? "[^" : "[").Append(EscapeSet(members)).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        var options = RegexOptions.CultureInvariant | RegexOptions.Singleline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            glob = new Glob(pattern, new Regex(regex.Append('$').ToString(), options, MatchTimeout));
            return true;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Parses a pattern known to be valid (built-in tables).</summary>
    public static Glob Parse(string pattern, bool ignoreCase) =>
        TryParse(pattern, ignoreCase, out var glob, out var error) ? glob! : throw new FormatException($"'{pattern}' is not a valid pattern: {error}.");

    public override string ToString() => Pattern;

    private static string EscapeSet(string members)
    {
        var escaped = new StringBuilder();
        foreach (var c in members)
        {
            escaped.Append(c is '\\' or ']' or '[' or '^' ? "\\" + c : c.ToString());
        }

        return escaped.ToString();
    }
}
