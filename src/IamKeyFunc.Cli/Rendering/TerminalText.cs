using System.Globalization;
using System.Text;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>
/// Text from outside (account names and aliases, OU paths, user names, AWS error messages, settings) made safe to
/// print: every character that a terminal would act on instead of showing is written as an escape, so that a name
/// cannot move the cursor, change colours, ring the bell, draw a fake row or reorder the line. Escaped: the C0
/// controls (tab, CR and LF included), DEL, the C1 controls, the bidirectional controls (U+061C, U+200E, U+200F,
/// U+202A-U+202E, U+2066-U+2069), the line and paragraph separators and unpaired surrogates; <c>\x1B</c> for a
/// control below U+0100, <c>\u202E</c> above.
/// </summary>
internal static class TerminalText
{
    /// <summary>The text with its controls escaped (not Spectre markup: for plain writers and <c>MarkupLineInterpolated</c>).</summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var first = IndexOfUnsafe(text, 0);
        if (first < 0)
        {
            return text;
        }

        var safe = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe.Append(c).Append(text[++i]);
            }
            else if (IsUnsafe(c))
            {
                safe.Append(c < 0x100 ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}") : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
            }
            else
            {
                safe.Append(c);
            }
        }

        return safe.ToString();
    }

    /// <summary>The text with its controls escaped and its Spectre markup (<c>[</c>, <c>]</c>) escaped: for a table cell or a markup line.</summary>
    public static string Markup(string? text) => Spectre.Console.Markup.Escape(Safe(text));

    private static int IndexOfUnsafe(string text, int start)
    {
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A control, a bidirectional control, a line or paragraph separator, or a surrogate (reached only when unpaired).</summary>
    private static bool IsUnsafe(char c) => c switch
    {
        < '\u0020' or '\u007F' => true,
        >= '\u0080' and <= '\u009F' => true,
        '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' => true,
        >= '\u202A' and <= '\u202E' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => char.IsSurrogate(c),
    };
}
