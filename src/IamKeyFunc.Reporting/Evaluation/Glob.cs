namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// A shell-style pattern: <c>*</c> any run of characters, <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c> and
/// <c>[!a-z]</c> one character of (or not of) a set, <c>\</c> escapes the next character (inside a set <c>\</c> is
/// itself). Matching is whole-string and ordinal, optionally ignoring case (IAM user names and actions are
/// case-insensitive).
/// </summary>
/// <remarks>
/// No regular expression and no timeout: <see cref="IsMatch(string)"/> walks the name once per restart of the last <c>*</c>, so
/// it takes at most (name length + 1) × (pattern length + 1) steps, whatever the pattern (<c>*a*a*a*a*a*b</c> included).
/// Every pattern that parses is safe on every name, and matching never throws.
/// </remarks>
public sealed class Glob
{
    private readonly Token[] _tokens;
    private readonly bool _ignoreCase;

    private Glob(string pattern, Token[] tokens, bool ignoreCase)
    {
        Pattern = pattern;
        _tokens = tokens;
        _ignoreCase = ignoreCase;
    }

    public string Pattern { get; }

    public bool IsMatch(string value) => IsMatch(value, out _);

    /// <summary>
    /// Greedy matching with one restart point, the last <c>*</c> seen: the part after a <c>*</c> is matched at the
    /// earliest place it fits, which leaves the most of the name for the rest, so no earlier choice needs revisiting.
    /// </summary>
    /// <param name="steps">How many (name, pattern) positions were compared: the cost bound the tests hold it to.</param>
    internal bool IsMatch(string value, out int steps)
    {
        ArgumentNullException.ThrowIfNull(value);
        steps = 0;
        int text = 0, token = 0, star = -1, starText = 0;
        while (text < value.Length)
        {
            steps++;
            if (token < _tokens.Length && _tokens[token].Kind == TokenKind.Star)
            {
                star = token++;
                starText = text;
            }
            else if (token < _tokens.Length && _tokens[token].Matches(value[text], _ignoreCase))
            {
                token++;
                text++;
            }
            else if (star >= 0)
            {
                token = star + 1;
                text = ++starText;
            }
            else
            {
                return false;
            }
        }

        while (token < _tokens.Length && _tokens[token].Kind == TokenKind.Star)
        {
            token++;
        }

        return token == _tokens.Length;
    }

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

        var tokens = new List<Token>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    if (tokens.Count == 0 || tokens[^1].Kind != TokenKind.Star)
                    {
                        tokens.Add(Token.Star); // ** is *
                    }

                    break;
                case '?':
                    tokens.Add(Token.AnyOne);
                    break;
                case '\\':
                    if (++i == pattern.Length)
                    {
                        error = "it ends with an escape character '\\'";
                        return false;
                    }

                    tokens.Add(Token.Literal(pattern[i]));
                    break;
                case '[':
                    var negated = i + 1 < pattern.Length && pattern[i + 1] == '!';
                    var first = negated ? i + 2 : i + 1;
                    var end = pattern.IndexOf(']', first);
                    if (end < 0)
                    {
                        error = $"the '[' at position {i + 1} is never closed";
                        return false;
                    }

                    if (end == first)
                    {
                        error = $"the set at position {i + 1} is empty";
                        return false;
                    }

                    if (!TryParseSet(pattern[first..end], i + 1, out var ranges, out error))
                    {
                        return false;
                    }

                    tokens.Add(Token.Set(ranges, negated));
                    i = end;
                    break;
                default:
                    tokens.Add(Token.Literal(c));
                    break;
            }
        }

        glob = new Glob(pattern, [.. tokens], ignoreCase);
        return true;
    }

    /// <summary>Parses a pattern known to be valid (built-in tables).</summary>
    public static Glob Parse(string pattern, bool ignoreCase) =>
        TryParse(pattern, ignoreCase, out var glob, out var error) ? glob! : throw new FormatException($"'{pattern}' is not a valid pattern: {error}.");

    public override string ToString() => Pattern;

    /// <summary><c>a-z0-9_</c> → (a, z), (0, 9), (_, _); a <c>-</c> first or last is itself.</summary>
    private static bool TryParseSet(string members, int position, out (char Low, char High)[] ranges, out string? error)
    {
        var parsed = new List<(char, char)>();
        for (var i = 0; i < members.Length; i++)
        {
            var low = members[i];
            if (i + 2 < members.Length && members[i + 1] == '-')
            {
                var high = members[i + 2];
                if (high < low)
                {
                    ranges = [];
                    error = $"the set at position {position} has the range '{low}-{high}', whose end comes before its start";
                    return false;
                }

                parsed.Add((low, high));
                i += 2;
            }
            else
            {
                parsed.Add((low, low));
            }
        }

        ranges = [.. parsed];
        error = null;
        return true;
    }

    private enum TokenKind
    {
        Literal,
        AnyOne,
        Star,
        Set,
    }

    private readonly record struct Token(TokenKind Kind, char Char, (char Low, char High)[]? Ranges, bool Negated)
    {
        public static Token Star => new(TokenKind.Star, '\0', null, false);

        public static Token AnyOne => new(TokenKind.AnyOne, '\0', null, false);

        public static Token Literal(char c) => new(TokenKind.Literal, c, null, false);

        public static Token Set((char Low, char High)[] ranges, bool negated) => new(TokenKind.Set, '\0', ranges, negated);

        public bool Matches(char c, bool ignoreCase) => Kind switch
        {
            TokenKind.AnyOne => true,
            TokenKind.Literal => c == Char || (ignoreCase && (char.ToUpperInvariant(c) == char.ToUpperInvariant(Char) || char.ToLowerInvariant(c) == char.ToLowerInvariant(Char))),
            TokenKind.Set => InSet(c, ignoreCase) != Negated,
            _ => false,
        };

        private bool InSet(char c, bool ignoreCase) =>
            InRanges(c) || (ignoreCase && (InRanges(char.ToUpperInvariant(c)) || InRanges(char.ToLowerInvariant(c))));

        private bool InRanges(char c)
        {
            foreach (var (low, high) in Ranges!)
            {
                if (c >= low && c <= high)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
