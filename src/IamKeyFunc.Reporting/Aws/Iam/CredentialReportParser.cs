using System.Globalization;
using System.Text;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// Turns <c>GetCredentialReport</c>'s <c>Content</c> (base64 of UTF-8 CSV) into rows. Columns are looked up by
/// header name, so added or reordered columns do not matter; only <c>user</c> and <c>arn</c> are required.
/// <para>One bad line costs only that line: the CSV is split into lines on its bytes (quotes respected; UTF-8 never
/// puts a quote or a line end inside a multi-byte character), and each line is decoded and read on its own. A line that
/// is not UTF-8, has a value that does not parse, has no user, ends inside a quoted field or repeats a user is left
/// out and listed in <see cref="CredentialReport.UnreadableRows"/> with its line number and why. Only a report whose
/// header cannot be read is refused whole.</para>
/// </summary>
public static class CredentialReportParser
{
    private static readonly HashSet<string> NoValue = new(StringComparer.OrdinalIgnoreCase) { "", "N/A", "no_information", "not_supported" };
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Parses the base64 <c>Content</c> element. Throws <see cref="FormatException"/> when it is not base64 or its header cannot be read.</summary>
    public static CredentialReport ParseBase64(string base64Content, DateTimeOffset generatedTime)
    {
        ArgumentNullException.ThrowIfNull(base64Content);
        return Parse(Convert.FromBase64String(base64Content.Trim()), generatedTime);
    }

    /// <summary>Parses the CSV text. Throws <see cref="FormatException"/> when the header lacks <c>user</c> or <c>arn</c>.</summary>
    public static CredentialReport ParseCsv(string csv, DateTimeOffset generatedTime)
    {
        ArgumentNullException.ThrowIfNull(csv);
        return Parse(Encoding.UTF8.GetBytes(csv), generatedTime);
    }

    /// <summary>Parses the CSV bytes (UTF-8, with or without a byte order mark).</summary>
    public static CredentialReport Parse(ReadOnlySpan<byte> csv, DateTimeOffset generatedTime)
    {
        if (csv.StartsWith(Encoding.UTF8.Preamble))
        {
            csv = csv[Encoding.UTF8.Preamble.Length..];
        }

        var lines = SplitLines(csv).Where(l => l.Length > 0 || l.Problem is not null).ToList();
        if (lines.Count == 0)
        {
            throw new FormatException("The credential report is empty.");
        }

        var header = Decode(csv, lines[0]);
        if (lines[0].Problem is not null || header.Problem is not null)
        {
            throw new FormatException($"The credential report's header (line {lines[0].Number}) cannot be read: {lines[0].Problem ?? header.Problem}.");
        }

        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var names = Fields(header.Text!);
        for (int i = 0; i < names.Count; i++)
        {
            columns.TryAdd(names[i].Trim(), i);
        }

        foreach (string required in new[] { "user", "arn" })
        {
            if (!columns.ContainsKey(required))
            {
                throw new FormatException($"The credential report has no '{required}' column.");
            }
        }

        var rows = new List<(int Line, CredentialReportRow Row)>();
        var unreadable = new List<UnreadableReportRow>();
        foreach (var line in lines.Skip(1))
        {
            var decoded = Decode(csv, line);
            var problem = line.Problem ?? decoded.Problem;
            if (problem is null)
            {
                try
                {
                    rows.Add((line.Number, ParseRow(new Row(columns, Fields(decoded.Text!)))));
                    continue;
                }
                catch (FormatException ex)
                {
                    problem = ex.Message;
                }
            }

            unreadable.Add(new UnreadableReportRow(line.Number, problem, LikelyUser(csv, line)));
        }

        // A user listed on two lines: neither line can be trusted over the other.
        foreach (var repeated in rows.GroupBy(r => r.Row.User, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList())
        {
            foreach (var (number, row) in repeated)
            {
                unreadable.Add(new UnreadableReportRow(number, "its user is listed on more than one line", row.User));
            }

            rows.RemoveAll(r => string.Equals(r.Row.User, repeated.Key, StringComparison.Ordinal));
        }

        return new CredentialReport(generatedTime, rows.Select(r => r.Row), [.. unreadable.OrderBy(u => u.Line)]);
    }

    private static CredentialReportRow ParseRow(Row row) => new(
        User: row.Text("user") ?? throw new FormatException("it has no user"),
        Arn: row.Text("arn") ?? "",
        UserCreationTime: row.Date("user_creation_time"),
        PasswordEnabled: row.Bool("password_enabled"),
        PasswordLastUsed: row.Date("password_last_used"),
        PasswordLastChanged: row.Date("password_last_changed"),
        PasswordNextRotation: row.Date("password_next_rotation"),
        MfaActive: row.Bool("mfa_active"),
        AccessKey1: ParseKey(row, 1),
        AccessKey2: ParseKey(row, 2));

    private static CredentialReportAccessKey ParseKey(Row row, int slot)
    {
        string prefix = $"access_key_{slot.ToString(CultureInfo.InvariantCulture)}_";
        return new CredentialReportAccessKey(
            Slot: slot,
            Active: row.Bool(prefix + "active") ?? false,
            LastRotated: row.Date(prefix + "last_rotated"),
            LastUsedDate: row.Date(prefix + "last_used_date"),
            LastUsedRegion: row.Text(prefix + "last_used_region"),
            LastUsedService: row.Text(prefix + "last_used_service"));
    }

    private static (string? Text, string? Problem) Decode(ReadOnlySpan<byte> csv, Line line)
    {
        try
        {
            return (StrictUtf8.GetString(csv.Slice(line.Start, line.Length)), null);
        }
        catch (DecoderFallbackException ex)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"it is not UTF-8 (byte {ex.Index + 1} of the line cannot be decoded)"));
        }
    }

    /// <summary>For the warning only: the first field of an unreadable line when it reads as a user name, else null.</summary>
    private static string? LikelyUser(ReadOnlySpan<byte> csv, Line line)
    {
        var text = Encoding.UTF8.GetString(csv.Slice(line.Start, Math.Min(line.Length, 256)));
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        var first = (comma < 0 ? text : text[..comma]).Trim();
        return first.Length is > 0 and <= 64 && first.All(c => char.IsAsciiLetterOrDigit(c) || "+=.@_-<>".Contains(c, StringComparison.Ordinal)) ? first : null;
    }

    private readonly record struct Row(Dictionary<string, int> Columns, List<string> Fields)
    {
        /// <summary>The field, or null when the column is missing or holds N/A, no_information or not_supported.</summary>
        public string? Text(string column)
        {
            if (!Columns.TryGetValue(column, out int index) || index >= Fields.Count)
            {
                return null;
            }

            string value = Fields[index].Trim();
            return NoValue.Contains(value) ? null : value;
        }

        public bool? Bool(string column) => Text(column) switch
        {
            null => null,
            var v when v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            var v when v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            _ => null,
        };

        public DateTimeOffset? Date(string column) => Text(column) is not { } v ? null
            : DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
                ? date.ToUniversalTime()
                : throw new FormatException($"its {column} is not a date");
    }

    /// <summary>One line of the report: where its bytes are, its 1-based physical line number, and why it cannot be read at all.</summary>
    private readonly record struct Line(int Start, int Length, int Number, string? Problem = null);

    /// <summary>
    /// RFC 4180 lines on the bytes: CRLF, LF or CR ends a line outside double quotes. A line still inside quotes at the
    /// end of the report is unreadable up to its first line end, and reading goes on from there (at most once: the lines
    /// after it then hold an even number of quotes).
    /// </summary>
    private static List<Line> SplitLines(ReadOnlySpan<byte> csv)
    {
        var lines = new List<Line>();
        int position = 0, number = 1;
        while (position < csv.Length)
        {
            int i = position, inside = 0;
            bool quoted = false;
            for (; i < csv.Length; i++)
            {
                byte b = csv[i];
                if (b == (byte)'"')
                {
                    quoted = !quoted;
                }
                else if (IsLineEnd(b))
                {
                    if (!quoted)
                    {
                        break;
                    }

                    inside += b == (byte)'\n' || i + 1 >= csv.Length || csv[i + 1] != (byte)'\n' ? 1 : 0;
                }
            }

            if (quoted)
            {
                i = position;
                while (i < csv.Length && !IsLineEnd(csv[i]))
                {
                    i++;
                }

                lines.Add(new Line(position, i - position, number, "it ends inside a quoted field"));
                inside = 0;
            }
            else
            {
                lines.Add(new Line(position, i - position, number));
            }

            number += 1 + inside;
            position = i < csv.Length && csv[i] == (byte)'\r' && i + 1 < csv.Length && csv[i + 1] == (byte)'\n' ? i + 2 : i + 1;
        }

        return lines;
    }

    private static bool IsLineEnd(byte b) => b is (byte)'\n' or (byte)'\r';

    /// <summary>The fields of one line (RFC 4180: comma-separated, optional double quotes, doubled inside).</summary>
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
