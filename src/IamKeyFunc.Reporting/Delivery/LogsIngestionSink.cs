using System.Text.Json.Serialization.Metadata;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Sends records to a data collection rule through <see cref="LogsIngestionClient"/>: key records to
/// <c>IamKey:LogsIngestion:KeyRecordStream</c>, change events to <c>KeyEventStream</c>, summaries to <c>RunSummaryStream</c>. Column names are the record
/// property names (no type suffixes); records with a field value over 64 KB are refused before sending.
/// </summary>
public sealed class LogsIngestionSink(
    LogsIngestionClient client,
    IOptions<LogsIngestionOptions> options,
    ILogger<LogsIngestionSink> logger) : IReportSink
{
    public const string HttpClientName = "IamKey.LogsIngestion";

    private readonly LogsIngestionOptions _options = options.Value;

    public string Name => "LogsIngestion";

    public Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default) =>
        SendAsync(records, ReportJsonContext.Default.KeyRecord, _options.KeyRecordStream, cancellationToken);

    public Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default) =>
        SendAsync(events, ReportJsonContext.Default.KeyEvent, _options.KeyEventStream, cancellationToken);

    public Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default) =>
        SendAsync(summaries, ReportJsonContext.Default.RunSummary, _options.RunSummaryStream, cancellationToken);

    private async Task<DeliveryResult> SendAsync<T>(IReadOnlyList<T> records, JsonTypeInfo<T> typeInfo, string stream, CancellationToken cancellationToken)
    {
        var tally = new DeliveryTally(records.Count);
        var serialized = RecordSerializer.SerializeAll(records, typeInfo, _options.MaxFieldBytes, tally);
        var upload = await client.UploadSerializedAsync(_options.DcrImmutableId!, stream, serialized, cancellationToken).ConfigureAwait(false);
        foreach (var batch in upload.Batches)
        {
            tally.Retried(Math.Max(0, batch.Attempts - 1));
            if (batch.Error is null)
            {
                tally.BatchDelivered(batch.RecordIndexes.Count, batch.UncompressedBytes);
            }
            else if (batch.Attempts == 0 && batch.Error.ErrorCode == "RecordTooLarge")
            {
                tally.Refused(batch.RecordIndexes[0], batch.Error.Message);
            }
            else
            {
                tally.BatchFailed(batch.RecordIndexes, batch.Error.Message, batch.Error.IsTransient);
            }
        }

        var result = tally.ToResult();
        logger.LogInformation(
            "Logs Ingestion delivery to {Stream}: {Delivered}/{Records} records delivered, {Failed} failed, {Batches} batches ({FailedBatches} failed), {Retries} retries",
            stream, result.Delivered, result.Records, result.Failed, result.Batches, result.FailedBatches, result.Retries);
        return result;
    }
}
