using IamKeyFunc.Testing.Aws;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// A sink that sends nothing: it serializes the records exactly as the sinks do (<see cref="ReportJsonContext"/>, one
/// JSON array per table) into a stream that only counts bytes, which is what would be posted to Log Analytics. It keeps
/// only the compact <see cref="ObservedKey"/> of each key record, to check what was delivered against the ground truth.
/// </summary>
internal sealed class MeasuringSink : IReportSink
{
    private readonly Lock _gate = new();
    private readonly List<ObservedKey> _keys = [];
    private long _keyRecordBytes;
    private long _summaryBytes;
    private long _eventBytes;

    public string Name => "Measuring";

    public long KeyRecordBytes => Interlocked.Read(ref _keyRecordBytes);

    public long SummaryBytes => Interlocked.Read(ref _summaryBytes);

    /// <summary>The key records delivered, in the order they arrived.</summary>
    public IReadOnlyList<ObservedKey> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys];
            }
        }
    }

    public Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _keys.AddRange(records.Select(ObservedKey.From));
        }

        return Task.FromResult(Measure(records, ReportJsonContext.Default.IReadOnlyListKeyRecord, ref _keyRecordBytes));
    }

    public Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default) =>
        Task.FromResult(Measure(events, ReportJsonContext.Default.IReadOnlyListKeyEvent, ref _eventBytes));

    public Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default) =>
        Task.FromResult(Measure(summaries, ReportJsonContext.Default.IReadOnlyListRunSummary, ref _summaryBytes));

    /// <summary>UTF-8 bytes of <paramref name="value"/> serialized with <paramref name="typeInfo"/>.</summary>
    public static long SizeOf<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        using var counter = new CountingStream();
        JsonSerializer.Serialize(counter, value, typeInfo);
        return counter.Length;
    }

    private static DeliveryResult Measure<T>(IReadOnlyList<T> records, JsonTypeInfo<IReadOnlyList<T>> typeInfo, ref long total)
    {
        var bytes = SizeOf(records, typeInfo);
        Interlocked.Add(ref total, bytes);
        return new DeliveryResult(records.Count, records.Count, 0, 1, 0, bytes, 0, null);
    }

    /// <summary>A write-only stream that keeps nothing but the number of bytes written.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
