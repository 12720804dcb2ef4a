using System.IO.Compression;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Packs serialized records into gzip-compressed JSON arrays whose compressed size (the body as sent) is at most a
/// given number of bytes. The compressed size is measured, not estimated: each record is appended to a running
/// gzip stream that is sync-flushed, so its length is the exact compressed size of the prefix so far.
/// </summary>
internal static class GzipJsonArrayBatcher
{
    /// <summary>Room kept for the closing bracket, the final deflate block and the 8-byte gzip trailer.</summary>
    private const int TrailerReserve = 32;

    public static List<RecordBatch> Pack(IReadOnlyList<SerializedRecord> records, int maxBytes, List<SerializedRecord> tooLarge)
    {
        var batches = new List<RecordBatch>();
        var current = new List<SerializedRecord>();
        var probe = new Probe();
        try
        {
            foreach (var record in records)
            {
                if (probe.TryAppend(record, maxBytes))
                {
                    current.Add(record);
                    continue;
                }

                if (current.Count > 0)
                {
                    Complete(current, maxBytes, batches);
                    current = [];
                }

                probe.Dispose();
                probe = new Probe();
                if (probe.TryAppend(record, maxBytes))
                {
                    current.Add(record);
                }
                else
                {
                    tooLarge.Add(record);
                    probe.Dispose();
                    probe = new Probe();
                }
            }

            if (current.Count > 0)
            {
                Complete(current, maxBytes, batches);
            }
        }
        finally
        {
            probe.Dispose();
        }

        return batches;
    }

    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Compresses the batch in one go; in the rare case that is larger than the flushed probe said, splits it in half.</summary>
    private static void Complete(List<SerializedRecord> records, int maxBytes, List<RecordBatch> batches)
    {
        var json = JsonArrayBatcher.ToJsonArray(records);
        var body = Compress(json);
        if (body.Length <= maxBytes || records.Count == 1)
        {
            batches.Add(new RecordBatch(records, body, json.Length));
            return;
        }

        var half = records.Count / 2;
        Complete(records[..half], maxBytes, batches);
        Complete(records[half..], maxBytes, batches);
    }

    /// <summary>A running gzip stream of <c>[r1,r2,…</c> whose length after a sync flush is exact.</summary>
    private sealed class Probe : IDisposable
    {
        private static readonly byte[] Open = "["u8.ToArray();
        private static readonly byte[] Comma = ","u8.ToArray();
        private readonly MemoryStream _output = new();
        private readonly GZipStream _gzip;
        private bool _empty = true;

        public Probe()
        {
            _gzip = new GZipStream(_output, CompressionLevel.Optimal, leaveOpen: true);
            _gzip.Write(Open);
        }

        /// <summary>Appends the record and reports whether the array still fits; a record that did not fit poisons the probe (the caller starts a new one).</summary>
        public bool TryAppend(SerializedRecord record, int maxBytes)
        {
            if (!_empty)
            {
                _gzip.Write(Comma);
            }

            _gzip.Write(record.Utf8);
            _gzip.Flush();
            _empty = false;
            return _output.Length + TrailerReserve <= maxBytes;
        }

        public void Dispose()
        {
            _gzip.Dispose();
            _output.Dispose();
        }
    }
}
