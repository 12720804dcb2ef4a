using System.IO.Compression;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Packs serialized records into gzip-compressed JSON arrays whose compressed size (the body as sent) is at most a
/// given number of bytes. The compressed size is measured, not estimated: records are appended to a running gzip
/// stream, which is sync-flushed near the limit so its length is the exact compressed size of the prefix so far.
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

    /// <summary>
    /// A running gzip stream of <c>[r1,r2,…</c>. Records are written without flushing while an upper bound of their
    /// compressed size (deflate never grows data by more than a few bytes per block) keeps the body under the limit;
    /// only near the limit is the stream sync-flushed, before and after a record, to measure exactly whether it fits.
    /// </summary>
    private sealed class Probe : IDisposable
    {
        private static readonly byte[] Open = "["u8.ToArray();
        private static readonly byte[] Comma = ","u8.ToArray();
        private readonly MemoryStream _output = new();
        private readonly GZipStream _gzip;
        private long _flushedLength;
        private long _unflushedBytes = 1; // the opening bracket
        private bool _empty = true;

        public Probe()
        {
            _gzip = new GZipStream(_output, CompressionLevel.Optimal, leaveOpen: true);
            _gzip.Write(Open);
        }

        /// <summary>Appends the record and reports whether the array still fits; after a record that did not fit the caller starts a new probe.</summary>
        public bool TryAppend(SerializedRecord record, int maxBytes)
        {
            var addition = record.Utf8.Length + (_empty ? 0 : 1);
            if (_flushedLength + UpperBound(_unflushedBytes + addition) + TrailerReserve <= maxBytes)
            {
                Write(record);
                _unflushedBytes += addition;
                return true;
            }

            // Close to the limit: measure what is already written, then this record alone.
            Flush();
            Write(record);
            Flush();
            return _flushedLength + TrailerReserve <= maxBytes;
        }

        public void Dispose()
        {
            _gzip.Dispose();
            _output.Dispose();
        }

        /// <summary>Most bytes deflate can produce for <paramref name="bytes"/> input: stored blocks cost 5 bytes each.</summary>
        private static long UpperBound(long bytes) => bytes + (bytes >> 8) + 16;

        private void Write(SerializedRecord record)
        {
            if (!_empty)
            {
                _gzip.Write(Comma);
            }

            _gzip.Write(record.Utf8);
            _empty = false;
        }

        private void Flush()
        {
            _gzip.Flush();
            _flushedLength = _output.Length;
            _unflushedBytes = 0;
        }
    }
}
