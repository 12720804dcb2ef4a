using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Writes records as JSON Lines (one object per line, UTF-8) to a file or to standard output, for the CLI and dry
/// runs. All tables share one stream; each line starts with a <c>table</c> discriminator holding the table name
/// (<c>IamKey:Delivery:KeyRecordTable</c>, <c>KeyEventTable</c> or <c>RunSummaryTable</c>), followed by the record's columns exactly as the
/// Logs Ingestion sink sends them: <c>{"table":"AwsAccessKeyReport","RunId":"…",…}</c>.
/// </summary>
public sealed class JsonlFileSink : IReportSink, IAsyncDisposable
{
    /// <summary>The path meaning standard output.</summary>
    public const string StandardOutput = "-";

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string _keyRecordTable;
    private readonly string _runSummaryTable;
    private readonly string _keyEventTable;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Appends to <paramref name="path"/> (created if missing), or writes to standard output when it is <c>-</c>. The file
    /// is held exclusively until disposed: a second writer fails at once with an <see cref="IOException"/> instead of
    /// overwriting the first one's lines.
    /// </summary>
    public JsonlFileSink(string path, string keyRecordTable = "AwsAccessKeyReport", string runSummaryTable = "AwsAccessKeyRunSummary", string keyEventTable = "AwsAccessKeyEvents")
        : this(OpenPath(path), ownsStream: path != StandardOutput, keyRecordTable, runSummaryTable, keyEventTable)
    {
    }

    internal JsonlFileSink(Stream stream, bool ownsStream, string keyRecordTable, string runSummaryTable, string keyEventTable = "AwsAccessKeyEvents")
    {
        _keyEventTable = keyEventTable;
        _stream = stream;
        _ownsStream = ownsStream;
        _keyRecordTable = keyRecordTable;
        _runSummaryTable = runSummaryTable;
    }

    public string Name => "Jsonl";

    public Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default) =>
        WriteAsync(records, ReportJsonContext.Default.KeyRecord, _keyRecordTable, cancellationToken);

    public Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default) =>
        WriteAsync(events, ReportJsonContext.Default.KeyEvent, _keyEventTable, cancellationToken);

    public Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default) =>
        WriteAsync(summaries, ReportJsonContext.Default.RunSummary, _runSummaryTable, cancellationToken);

    private async Task<DeliveryResult> WriteAsync<T>(IReadOnlyList<T> records, JsonTypeInfo<T> typeInfo, string table, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return DeliveryResult.Empty;
        }

        var prefix = Encoding.UTF8.GetBytes($"{{\"table\":\"{JsonEncodedText.Encode(table)}\",");
        using var buffer = new MemoryStream();
        foreach (var record in records)
        {
            // {"table":"X", + the record's object without its opening brace.
            var json = JsonSerializer.SerializeToUtf8Bytes(record, typeInfo);
            buffer.Write(prefix);
            buffer.Write(json.AsSpan(1));
            buffer.WriteByte((byte)'\n');
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(_stream, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        return new DeliveryResult(records.Count, records.Count, 0, 1, 0, buffer.Length, 0, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private static Stream OpenPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path == StandardOutput)
        {
            return Console.OpenStandardOutput();
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }
}
