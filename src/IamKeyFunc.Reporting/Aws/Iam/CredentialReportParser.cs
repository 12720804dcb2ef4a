using System.Globalization;
using System.Text;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// Turns <c>GetCredentialReport</c>'s <c>Content</c> (base64 of UTF-8 CSV) into rows. Columns are looked up by
/// header name, so added or reordered columns do not matter; only <c>user</c> and <c>arn</c> are required.
/// </summary>
public static class CredentialReportParser
{
    private static readonly HashSet<string> NoValue = new(StringComparer.OrdinalIgnoreCase) { "", "N/A", "no_information", "not_supported" };

    /// <summary>Parses the base64 <c>Content</c> element. Throws <see cref="FormatException"/> on malformed input.</summary>
    public static CredentialReport ParseBase64(string base64Content, DateTimeOffset generatedTime)
    {
        ArgumentNullException.ThrowIfNull(base64Content);
        byte[] bytes = Convert.FromBase64String(base64Content.Trim());
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException($"The credential report is not UTF-8 (byte {ex.Index} cannot be decoded).", ex);
        }

        return ParseCsv(text.TrimStart('\uFEFF'), generatedTime);
    }

    /// <summary>Parses the CSV text. Throws <see cref="FormatException"/> when the header lacks <c>user</c> or <c>arn</c>.</summary>
    public static CredentialReport ParseCsv(string csv, DateTimeOffset generatedTime)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var records = ReadCsv(csv).Where(r => r.Count > 1 || r[0].Length > 0).ToList();
        if (records.Count == 0)
        {
            throw new FormatException("The credential report is empty.");
        }

        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < records[0].Count; i++)
        {
            columns.TryAdd(records[0][i].Trim(), i);
        }

        foreach (string required in new[] { "user", "arn" })
        {
            if (!columns.ContainsKey(required))
            {
                throw new FormatException($"The credential report has no '{required}' column.");
            }
        }

        var rows = records.Skip(1).Select(fields => ParseRow(new Row(columns, fields)));
        return new CredentialReport(generatedTime, rows);
    }

    private static CredentialReportRow ParseRow(Row row) => new(
        User: row.Text("user") ?? throw new FormatException("A credential report line has no user."),
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

        public DateTimeOffset? Date(string column) => Text(column) is { } v
            ? DateTimeOffset.Parse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal).ToUniversalTime()
            : null;
    }

    /// <summary>RFC 4180: comma-separated, optional double quotes (doubled inside), CRLF or LF line ends.</summary>
    private static IEnumerable<List<string>> ReadCsv(string csv)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < csv.Length && csv[i + 1] == '"')
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
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                yield return fields;
                fields = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException("The credential report ends inside a quoted field.");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
