using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using IamKeyFunc.Reporting.Evaluation;

namespace IamKeyFunc.Tests.Evaluation;

/// <summary>
/// The glob matcher against two references: the definition itself (a memoised recursion over pattern and name), and the
/// regular expression the globs used to be translated to (run by .NET's non-backtracking engine, so it cannot time out).
/// Pathological patterns must cost at most (name + 1) × (pattern + 1) steps and finish within a generous wall bound.
/// </summary>
public sealed class GlobTests
{
    private const int Iterations = 3000;

    /// <summary>One piece of a pattern: a literal, an escape, a wildcard or a set (ranges always low to high).</summary>
    private static readonly Gen<string> Piece = Gen.Frequency(
        (6, Gen.Char["abAB-_.@"].Select(c => c.ToString())),
        (1, Gen.Char["*?[]\\!"].Select(c => "\\" + c)),
        (3, Gen.Const("*")),
        (2, Gen.Const("?")),
        (2, Gen.Select(
            Gen.Bool,
            Gen.OneOf(
                Gen.Char["abAB-_"].Select(c => c.ToString()),
                Gen.Select(Gen.Char["aAb"], Gen.Char["bBz"]).Where(r => r.Item1 <= r.Item2).Select(r => $"{r.Item1}-{r.Item2}")).Array[1, 3])
            .Select(set => $"[{(set.Item1 ? "!" : "")}{string.Concat(set.Item2)}]")));

    private static readonly Gen<string> Pattern = Piece.Array[1, 8].Select(string.Concat);

    private static readonly Gen<string> Name = Gen.Char["abAB-_.@*?[]\\!z"].Array[0, 16].Select(c => new string(c));

    [Fact]
    public void IsMatch_ShouldAgreeWithTheDefinition_OnRandomPatternsAndNames() =>
        Gen.Select(Pattern, Name, Gen.Bool).Sample((pattern, name, ignoreCase) =>
        {
            if (!Glob.TryParse(pattern, ignoreCase, out var glob, out _))
            {
                return; // a range written high to low: refused, as the next test checks
            }

            Assert.Equal(Reference.Matches(pattern, name, ignoreCase), glob!.IsMatch(name));
        }, iter: Iterations);

    [Fact]
    public void IsMatch_ShouldAgreeWithTheRegexTheGlobsUsedToBe_SoNoAcceptedPatternChangesMeaning() =>
        Gen.Select(Pattern, Name, Gen.Bool).Sample((pattern, name, ignoreCase) =>
        {
            if (!Glob.TryParse(pattern, ignoreCase, out var glob, out _))
            {
                Assert.Throws<RegexParseException>(() => FormerRegex(pattern, ignoreCase)); // refused before too
                return;
            }

            Assert.Equal(FormerRegex(pattern, ignoreCase).IsMatch(name), glob!.IsMatch(name));
        }, iter: Iterations);

    [Fact]
    public void IsMatch_ShouldMatchNamesBuiltFromThePattern() =>
        Gen.Select(Pattern, Gen.Char["abz-"].Array[0, 4]).Sample((pattern, filler) =>
        {
            // A name that fits by construction: each piece replaced by a character it accepts.
            if (!Glob.TryParse(pattern, ignoreCase: false, out var glob, out _) || Instance(pattern, new string(filler)) is not { } name)
            {
                return;
            }

            Assert.True(glob!.IsMatch(name), $"'{pattern}' should match '{name}'");
        }, iter: Iterations);

    [Theory]
    [InlineData("*a*a*a*a*a*a*a*a*a*b", 'a')]
    [InlineData("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c", 'a')]
    [InlineData("a*a*a*a*a*a*a*a*a*a*a*a*b", 'a')]
    [InlineData("*?*?*?*?*?*?*?*?*?*?*?b", 'a')]
    [InlineData("*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[!a-z]", 'q')]
    [InlineData("*ab*ab*ab*ab*ab*ab*ab*ab*abc", 'a')]
    public void IsMatch_ShouldStayWithinItsStepBoundAndFast_OnPathologicalPatterns(string pattern, char fill)
    {
        var glob = Glob.Parse(pattern, ignoreCase: true);
        foreach (var length in new[] { 64, 1_000, 10_000 })
        {
            var name = new string(fill, length);
            var clock = Stopwatch.StartNew();

            var matched = glob.IsMatch(name, out var steps);

            clock.Stop();
            Assert.False(matched);
            Assert.True(steps <= (length + 1L) * (pattern.Length + 1L), $"{steps} steps for a name of {length} and a pattern of {pattern.Length}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"'{pattern}' on {length} characters took {clock.Elapsed}");
            Assert.Equal(Reference.Matches(pattern, name, ignoreCase: true), matched);
        }
    }

    [Fact]
    public void PathologicalUserNameGlob_ShouldNeverFailAPolicyLookup_OnTheLongestIamUserName()
    {
        var policies = PolicyTestKit.Compile(new Reporting.Configuration.KeyPolicyDefinition { Name = "evil", UserName = "*a*a*a*a*a*a*a*a*a*b" });

        var policy = policies.For(PolicyTestKit.Owner(userName: new string('a', 64)));

        Assert.Equal("Default", policy.Name);
    }

    [Theory]
    [InlineData("", "the pattern is empty")]
    [InlineData("ci-\\", "it ends with an escape character")]
    [InlineData("ci-[abc", "the '[' at position 4 is never closed")]
    [InlineData("ci-[]", "the set at position 4 is empty")]
    [InlineData("ci-[!]", "the set at position 4 is empty")]
    [InlineData("ci-[z-a]", "the set at position 4 has the range 'z-a', whose end comes before its start")]
    public void TryParse_ShouldRefuseMalformedPatterns_WithTheReason(string pattern, string reason)
    {
        Assert.False(Glob.TryParse(pattern, ignoreCase: true, out var glob, out var error));
        Assert.Null(glob);
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ci-*", "CI-deploy", true, true)]
    [InlineData("ci-*", "CI-deploy", false, false)]
    [InlineData("[A-C]x", "bx", true, true)]
    [InlineData("[!a-c]x", "Bx", true, false)]
    [InlineData("a\\*b", "a*b", false, true)]
    [InlineData("a\\*b", "axb", false, false)]
    [InlineData("[\\]x", "\\x", false, true)]
    [InlineData("[-a]", "-", false, true)]
    [InlineData("[a-]", "-", false, true)]
    [InlineData("**", "", false, true)]
    [InlineData("?", "", false, false)]
    public void IsMatch_ShouldFollowTheDocumentedSyntax(string pattern, string name, bool ignoreCase, bool expected)
    {
        Assert.Equal(expected, Glob.Parse(pattern, ignoreCase).IsMatch(name));
    }

    /// <summary>A name the pattern accepts, or null when a piece accepts nothing simple to write.</summary>
    private static string? Instance(string pattern, string filler)
    {
        var name = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '*': name.Append(filler); break;
                case '?': name.Append('x'); break;
                case '\\': name.Append(pattern[++i]); break;
                case '[':
                    var end = pattern.IndexOf(']', pattern[i + 1] == '!' ? i + 2 : i + 1);
                    if (pattern[i + 1] == '!')
                    {
                        return null;
                    }

                    name.Append(pattern[i + 1]);
                    i = end;
                    break;
                default: name.Append(pattern[i]); break;
            }
        }

        return name.ToString();
    }

    /// <summary>How globs were matched before: translated to a regex (here run without backtracking).</summary>
    private static Regex FormerRegex(string pattern, bool ignoreCase)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '*': regex.Append(".*"); break;
                case '?': regex.Append('.'); break;
                case '\\': regex.Append(Regex.Escape(pattern[++i].ToString())); break;
                case '[':
                    var negated = pattern[i + 1] == '!';
                    var end = pattern.IndexOf(']', negated ? i + 2 : i + 1);
                    var members = pattern[(negated ? i + 2 : i + 1)..end];
                    regex.Append(negated ? "[^" : "[")
                        .Append(string.Concat(members.Select(c => c is '\\' or ']' or '[' or '^' ? "\\" + c : c.ToString())))
                        .Append(']');
                    i = end;
                    break;
                default: regex.Append(Regex.Escape(pattern[i].ToString())); break;
            }
        }

        return new Regex(
            regex.Append('$').ToString(),
            RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.Singleline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
    }

    /// <summary>The definition, written as directly as possible: does pattern[p..] match name[n..]?</summary>
    private static class Reference
    {
        public static bool Matches(string pattern, string name, bool ignoreCase)
        {
            var memo = new Dictionary<(int, int), bool>();
            return From(0, 0);

            bool From(int p, int n)
            {
                if (memo.TryGetValue((p, n), out var known))
                {
                    return known;
                }

                bool result;
                if (p == pattern.Length)
                {
                    result = n == name.Length;
                }
                else if (pattern[p] == '*')
                {
                    result = From(p + 1, n) || (n < name.Length && From(p, n + 1));
                }
                else if (n == name.Length)
                {
                    result = false;
                }
                else
                {
                    var (accepts, next) = One(p, name[n]);
                    result = accepts && From(next, n + 1);
                }

                memo[(p, n)] = result;
                return result;
            }

            (bool Accepts, int Next) One(int p, char c)
            {
                switch (pattern[p])
                {
                    case '?':
                        return (true, p + 1);
                    case '\\':
                        return (Same(pattern[p + 1], c), p + 2);
                    case '[':
                        var negated = pattern[p + 1] == '!';
                        var start = negated ? p + 2 : p + 1;
                        var end = pattern.IndexOf(']', start);
                        var inSet = false;
                        for (var i = start; i < end; i++)
                        {
                            var (low, high) = i + 2 < end && pattern[i + 1] == '-' ? (pattern[i], pattern[i += 2]) : (pattern[i], pattern[i]);
                            inSet |= InRange(c, low, high) || (ignoreCase && (InRange(char.ToUpperInvariant(c), low, high) || InRange(char.ToLowerInvariant(c), low, high)));
                        }

                        return (inSet != negated, end + 1);
                    default:
                        return (Same(pattern[p], c), p + 1);
                }
            }

            bool Same(char a, char b) => a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

            static bool InRange(char c, char low, char high) => c >= low && c <= high;
        }
    }
}
