namespace IamKeyFunc.Reporting.Delivery;

/// <summary>A JSON array body built from consecutive records, ready to send.</summary>
/// <param name="Records">The records in the body, in order.</param>
/// <param name="Body">The bytes to send (UTF-8 JSON, or gzip of it).</param>
/// <param name="UncompressedBytes">Length of the JSON array before compression.</param>
internal sealed record RecordBatch(IReadOnlyList<SerializedRecord> Records, byte[] Body, int UncompressedBytes);

/// <summary>Packs serialized records into JSON arrays (<c>[a,b,…]</c>) of at most a given number of bytes.</summary>
internal static class JsonArrayBatcher
{
    /// <summary>
    /// Greedy packing in order. A record that cannot fit even alone is returned in <paramref name="tooLarge"/>
    /// instead of a batch, so the caller can count it as failed.
    /// </summary>
    public static List<RecordBatch> Pack(IReadOnlyList<SerializedRecord> records, int maxBytes, List<SerializedRecord> tooLarge)
    {
        var batches = new List<RecordBatch>();
        var current = new List<SerializedRecord>();
        var size = 2; // the brackets
        foreach (var record in records)
        {
            if (record.Utf8.Length + 2 > maxBytes)
            {
                tooLarge.Add(record);
                continue;
            }

            var added = record.Utf8.Length + (current.Count > 0 ? 1 : 0);
            if (size + added > maxBytes)
            {
                batches.Add(Build(current));
                current = [];
                size = 2;
                added = record.Utf8.Length;
            }

            current.Add(record);
            size += added;
        }

        if (current.Count > 0)
        {
            batches.Add(Build(current));
        }

        return batches;
    }

    public static byte[] ToJsonArray(IReadOnlyList<SerializedRecord> records)
    {
        var length = 2 + records.Sum(r => r.Utf8.Length) + Math.Max(0, records.Count - 1);
        var body = new byte[length];
        body[0] = (byte)'[';
        var offset = 1;
        for (var i = 0; i < records.Count; i++)
        {
            if (i > 0)
            {
                body[offset++] = (byte)',';
            }

            records[i].Utf8.CopyTo(body, offset);
            offset += records[i].Utf8.Length;
        }

        body[offset] = (byte)']';
        return body;
    }

    private static RecordBatch Build(List<SerializedRecord> records)
    {
        var body = ToJsonArray(records);
        return new RecordBatch(records, body, body.Length);
    }
}
