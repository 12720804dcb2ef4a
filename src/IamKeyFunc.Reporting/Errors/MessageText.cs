using System.Text;
using System.Text.RegularExpressions;

namespace IamKeyFunc.Reporting.Errors;

/// <summary>
/// How a service's or the app's error text is made safe and short before it reaches a log, an exception, a summary or
/// an answer. <see cref="Redact"/> removes secrets a server may echo back, in part or whole: every run of at least
/// <see cref="MinSharedRun"/> characters that a known secret (the request's session token, secret key, signature,
/// Entra token, workspace key) also holds, as is, percent-encoded, base64 (at any offset) or hex; and, for secrets the
/// caller does not know, anything shaped like a token (JWT-shaped text or part of one, long base64 runs).
/// </summary>
public static partial class MessageText
{
    /// <summary>The shortest run shared with a known secret that is redacted (shorter echoes carry too little of it to matter).</summary>
    public const int MinSharedRun = 8;

    /// <summary>Secrets shorter than this are not matched (no credential is that short); longer ones are matched on their first <see cref="MaxSecretLength"/> characters.</summary>
    private const int MaxSecretLength = 16 * 1024;

    private const string RedactedSecret = "[redacted]";
    private const string RedactedToken = "[redacted token]";

    /// <summary>
    /// <paramref name="message"/> without any part of <paramref name="secrets"/> (runs of <see cref="MinSharedRun"/> or
    /// more characters, in the encodings a server may echo them in) and without token-shaped text.
    /// </summary>
    public static string Redact(string? message, params IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var text = message ?? "";
        if (text.Length >= MinSharedRun)
        {
            text = SharedRuns.Redact(text, secrets);
        }

        text = Jwt().Replace(text, RedactedToken);
        text = JwtPart().Replace(text, RedactedToken);
        return LongBase64().Replace(text, match => LooksRandom(match.ValueSpan) ? RedactedSecret : match.Value);
    }

    /// <summary>Blanks anything shaped like a token (JWT-shaped text or part of one, long base64 runs) when the secrets themselves are not known.</summary>
    public static string RedactTokens(string message) => Redact(message);

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

    /// <summary>A long base64 run is a secret when it mixes upper case, lower case and digits, as random bytes do (a path of words does not reach 64 characters without a hyphen).</summary>
    private static bool LooksRandom(ReadOnlySpan<char> run) =>
        run.ContainsAnyInRange('A', 'Z') && run.ContainsAnyInRange('a', 'z') && run.ContainsAnyInRange('0', '9');

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    /// <summary>What is left of a JWT cut short or split: a segment that starts as base64url of <c>{"</c>.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_=-]{8,}(\.[A-Za-z0-9_=-]*)*")]
    private static partial Regex JwtPart();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{64,}={0,2}")]
    private static partial Regex LongBase64();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>
    /// The runs a message shares with known secrets: every <see cref="MinSharedRun"/>-character window of the message,
    /// packed into a <see langword="ulong"/> (8 ASCII characters), is looked up against every window of every secret in
    /// each encoding it may be echoed in. Linear in the message and the secrets' lengths.
    /// </summary>
    private static class SharedRuns
    {
        public static string Redact(string message, IEnumerable<string?> secrets)
        {
            var windows = new Dictionary<ulong, List<int>>();
            for (var i = 0; i + MinSharedRun <= message.Length; i++)
            {
                if (TryPack(message.AsSpan(i, MinSharedRun), out var window))
                {
                    (windows.TryGetValue(window, out var at) ? at : windows[window] = []).Add(i);
                }
            }

            var secret = new bool[message.Length];
            var found = false;
            foreach (var known in secrets)
            {
                if (windows.Count == 0 || known is null || known.Length < MinSharedRun)
                {
                    continue;
                }

                foreach (var form in Forms(known.Length > MaxSecretLength ? known[..MaxSecretLength] : known))
                {
                    for (var i = 0; i + MinSharedRun <= form.Length; i++)
                    {
                        if (TryPack(form.AsSpan(i, MinSharedRun), out var window) && windows.Remove(window, out var positions))
                        {
                            positions.ForEach(at => Array.Fill(secret, true, at, MinSharedRun));
                            found = true;
                        }
                    }
                }
            }

            if (!found)
            {
                return message;
            }

            var text = new StringBuilder(message.Length);
            for (var i = 0; i < message.Length; i++)
            {
                if (!secret[i])
                {
                    text.Append(message[i]);
                }
                else if (i == 0 || !secret[i - 1])
                {
                    text.Append(RedactedSecret);
                }
            }

            return text.ToString();
        }

        /// <summary>The secret as is, percent-encoded (both hex cases), hex, and base64 and base64url from offsets 0, 1 and 2 (so base64 of any part of it shares its runs).</summary>
        private static IEnumerable<string> Forms(string secret)
        {
            yield return secret;
            var escaped = Uri.EscapeDataString(secret);
            yield return escaped;
            yield return PercentHexToLower().Replace(escaped, m => m.Value.ToLowerInvariant());
            var bytes = Encoding.UTF8.GetBytes(secret);
            yield return Convert.ToHexStringLower(bytes);
            yield return Convert.ToHexString(bytes);
            for (var offset = 0; offset < 3 && offset < bytes.Length; offset++)
            {
                var base64 = Convert.ToBase64String(bytes, offset, bytes.Length - offset).TrimEnd('=');
                yield return base64;
                yield return base64.Replace('+', '-').Replace('/', '_');
            }
        }

        /// <summary>Eight ASCII characters as one number; false when one is not ASCII (no secret form has such a character).</summary>
        private static bool TryPack(ReadOnlySpan<char> chars, out ulong window)
        {
            window = 0;
            foreach (var c in chars)
            {
                if (c > 0x7F)
                {
                    return false;
                }

                window = (window << 8) | c;
            }

            return true;
        }
    }

    [GeneratedRegex("%[0-9A-F]{2}")]
    private static partial Regex PercentHexToLower();
}
