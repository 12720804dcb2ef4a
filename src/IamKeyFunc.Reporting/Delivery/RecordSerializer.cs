using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>One record serialized once (UTF-8 JSON object) with its position in the caller's list.</summary>
internal readonly record struct SerializedRecord(int Index, byte[] Utf8);

/// <summary>Serializes records with the source-generated context and refuses those with a field value over the service's limit.</summary>
internal static class RecordSerializer
{
    /// <summary>
    /// Serializes every record; records with an oversized field are left out and counted as refused in <paramref name="tally"/>.
    /// With <paramref name="objectsAsText"/> (the Data Collector API, which has no dynamic type), a property whose value is
    /// a JSON object or array (e.g. <c>AccountTags</c>) is sent as its JSON text.
    /// </summary>
    public static List<SerializedRecord> SerializeAll<T>(IReadOnlyList<T> records, JsonTypeInfo<T> typeInfo, int maxFieldBytes, DeliveryTally tally, bool objectsAsText = false)
    {
        var accepted = new List<SerializedRecord>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var utf8 = JsonSerializer.SerializeToUtf8Bytes(records[i], typeInfo);
            if (objectsAsText && HasNestedValue(utf8))
            {
                utf8 = NestedValuesAsText(utf8);
            }

            if (FindOversizedField(utf8, maxFieldBytes) is { } field)
            {
                tally.Refused(i, $"Record {i} was not sent: field '{field.Name}' is {field.Bytes} bytes, over the {maxFieldBytes}-byte limit of a field value.");
                continue;
            }

            accepted.Add(new SerializedRecord(i, utf8));
        }

        return accepted;
    }

    private static bool HasNestedValue(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] NestedValuesAsText(byte[] json)
    {
        var record = JsonNode.Parse(json)!.AsObject();
        foreach (var name in record.Where(p => p.Value is JsonObject or JsonArray).Select(p => p.Key).ToList())
        {
            record[name] = JsonValue.Create(record[name]!.ToJsonString());
        }

        return Encoding.UTF8.GetBytes(record.ToJsonString());
    }

    /// <summary>The first top-level property whose string value is longer than <paramref name="maxFieldBytes"/> UTF-8 bytes, if any.</summary>
    public static (string Name, int Bytes)? FindOversizedField(ReadOnlySpan<byte> json, int maxFieldBytes)
    {
        var reader = new Utf8JsonReader(json);
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    property = reader.GetString();
                    break;
                case JsonTokenType.String when reader.CurrentDepth == 1:
                    var bytes = reader.ValueIsEscaped ? Encoding.UTF8.GetByteCount(reader.GetString()!) : reader.ValueSpan.Length;
                    if (bytes > maxFieldBytes)
                    {
                        return (property ?? "?", bytes);
                    }

                    break;
            }
        }

        return null;
    }
}
