using IamKeyFunc.Reporting.Retries;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Sends records to the HTTP Data Collector API (<c>POST {endpoint}/api/logs?api-version=2016-04-01</c>), signed with
/// the workspace shared key from Key Vault. Batches stay under the 30 MB post limit; records with a field value over
/// 32 KB are refused before sending. 429/500/503 and connection faults are retried with <c>Retry-After</c> and backoff,
/// each attempt freshly dated and signed; a 403 <c>InvalidAuthorization</c> re-reads the key from Key Vault once.
/// </summary>
/// <remarks>
/// Log Analytics appends <c>_CL</c> to the log type and a type suffix to every column: strings <c>_s</c>, numbers
/// <c>_d</c>, booleans <c>_b</c>, ISO 8601 times <c>_t</c>. <c>CollectedAt</c> is sent as <c>time-generated-field</c>,
/// so it becomes <c>TimeGenerated</c> (and stays as <c>CollectedAt_t</c>).
/// </remarks>
public sealed partial class DataCollectorSink : IReportSink
{
    public const string HttpClientName = "IamKey.DataCollector";
    internal const string ApiVersion = "2016-04-01";
    internal const string TimeGeneratedField = nameof(KeyRecord.CollectedAt);

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly WorkspaceKeyProvider _keys;
    private readonly DataCollectorOptions _options;
    private readonly DeliveryOptions _delivery;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DataCollectorSink> _logger;
    private readonly Uri _requestUri;

    public DataCollectorSink(
        IHttpClientFactory httpClientFactory,
        WorkspaceKeyProvider keys,
        IOptions<DataCollectorOptions> options,
        IOptions<DeliveryOptions> delivery,
        TimeProvider timeProvider,
        ILogger<DataCollectorSink> logger)
    {
        _httpClientFactory = httpClientFactory;
        _keys = keys;
        _options = options.Value;
        _delivery = delivery.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _requestUri = new Uri($"{_options.ResolveEndpoint().AbsoluteUri.TrimEnd('/')}{DataCollectorSignature.Resource}?api-version={ApiVersion}");
    }

    public string Name => "DataCollector";

    public Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default) =>
        SendAsync(records, ReportJsonContext.Default.KeyRecord, _delivery.KeyRecordTable, cancellationToken);

    public Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default) =>
        SendAsync(events, ReportJsonContext.Default.KeyEvent, _delivery.KeyEventTable, cancellationToken);

    public Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default) =>
        SendAsync(summaries, ReportJsonContext.Default.RunSummary, _delivery.RunSummaryTable, cancellationToken);

    private async Task<DeliveryResult> SendAsync<T>(IReadOnlyList<T> records, JsonTypeInfo<T> typeInfo, string logType, CancellationToken cancellationToken)
    {
        if (!LogTypePattern().IsMatch(logType))
        {
            throw new ArgumentException($"Log-Type '{logType}' must be letters, digits or underscores, at most 100 characters (IamKey:Delivery:KeyRecordTable / KeyEventTable / RunSummaryTable).", nameof(logType));
        }

        var tally = new DeliveryTally(records.Count);
        var serialized = RecordSerializer.SerializeAll(records, typeInfo, _options.MaxFieldBytes, tally, objectsAsText: true);
        var tooLarge = new List<SerializedRecord>();
        var batches = JsonArrayBatcher.Pack(serialized, _options.MaxPostBytes, tooLarge);
        foreach (var record in tooLarge)
        {
            tally.Refused(record.Index, $"Record {record.Index} was not sent: it is {record.Utf8.Length} bytes, over the {_options.MaxPostBytes}-byte post limit.");
        }

        var state = new DeliveryState(logType, _httpClientFactory.CreateClient(HttpClientName), tally);
        for (var i = 0; i < batches.Count; i++)
        {
            var batch = batches[i];
            var positions = batch.Records.Select(r => r.Index).ToArray();
            if (state.KeyUnavailable is { } keyError)
            {
                tally.BatchFailed(positions, keyError, resendable: true);
                continue;
            }

            var failure = await PostBatchAsync(batch, i + 1, batches.Count, state, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                tally.BatchDelivered(batch.Records.Count, batch.Body.Length);
            }
            else
            {
                tally.BatchFailed(positions, failure.Error, failure.Resendable);
                _logger.LogError("Data Collector batch {Batch}/{Batches} of {LogType} ({Records} records) failed: {Error}", i + 1, batches.Count, logType, batch.Records.Count, failure.Error);
            }
        }

        var result = tally.ToResult();
        _logger.LogInformation(
            "Data Collector delivery of {LogType}: {Delivered}/{Records} records delivered, {Failed} failed, {Batches} batches ({FailedBatches} failed), {Retries} retries",
            logType, result.Delivered, result.Records, result.Failed, result.Batches, result.FailedBatches, result.Retries);
        return result;
    }

    /// <summary>
    /// Sends one batch through <see cref="SignedCallLoop"/> until it is accepted or its attempts run out; null on success,
    /// else a safe error message and whether the batch may be sent again later (the recovery pass).
    /// </summary>
    private async Task<BatchFailure?> PostBatchAsync(RecordBatch batch, int number, int count, DeliveryState state, CancellationToken cancellationToken)
    {
        var schedule = new RetrySchedule(_delivery.MaxAttempts, _delivery.RetryBaseDelay, _delivery.RetryMaxDelay, BackoffJitter.RetryAfterOrProportional);
        SignedCallResult<Outcome> result;
        try
        {
            result = await SignedCallLoop.RunAsync(new Post(this, batch, number, count, state), schedule, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkspaceKeyException ex) when (!ex.IsConfigurationError)
        {
            // Key Vault could not be read: this delivery's remaining batches fail without being sent; the key may be had
            // later in the run (another account's delivery, or the recovery pass), so they may all be sent again.
            state.KeyUnavailable = ex.Message;
            return new BatchFailure(ex.Message, Resendable: true);
        }

        var outcome = result.Last;
        return result.Verdict switch
        {
            AttemptVerdict.Accepted => null,
            AttemptVerdict.Transient => new BatchFailure($"Data Collector batch {number}/{count} failed after {result.Attempts} attempt(s): {outcome.Describe()}.", Resendable: true),
            _ when outcome.Status == HttpStatusCode.Forbidden => new BatchFailure(
                $"Data Collector answered 403 {outcome.Code}: workspace key rejected after re-reading it from Key Vault (secret '{_options.WorkspaceKeySecretName}' in {_options.KeyVaultUri}); check that the secret holds the key of workspace {_options.WorkspaceId}.",
                Resendable: false),
            _ => new BatchFailure($"Data Collector refused batch {number}/{count}: {outcome.Describe()}.", Resendable: false),
        };
    }

    /// <summary>
    /// One post, attempt by attempt: signed with the (cached) workspace key and a fresh <c>x-ms-date</c>; 200 is accepted;
    /// 403 re-reads the key from Key Vault once per delivery; 429, 500, 502, 503, 504 and connection faults are transient.
    /// </summary>
    private sealed class Post(DataCollectorSink sink, RecordBatch batch, int number, int count, DeliveryState state) : SignedCall<WorkspaceKey, Outcome>
    {
        public override ValueTask<WorkspaceKey> AuthorizeAsync(CancellationToken cancellationToken) => sink._keys.GetKeyAsync(cancellationToken);

        public override async Task<AttemptOutcome<Outcome>> SendAsync(WorkspaceKey credential, AttemptContext context, CancellationToken cancellationToken)
        {
            var outcome = await sink.SendOnceAsync(state, batch, credential, cancellationToken).ConfigureAwait(false);
            var verdict = outcome.Status switch
            {
                HttpStatusCode.OK => AttemptVerdict.Accepted,
                HttpStatusCode.Forbidden => state.KeyReread ? AttemptVerdict.Permanent : AttemptVerdict.Reauthorize,
                null => AttemptVerdict.Transient,
                { } status => RetryRules.IsRetryable(status) ? AttemptVerdict.Transient : AttemptVerdict.Permanent,
            };
            return new(verdict, outcome, outcome.RetryAfter);
        }

        public override ValueTask ReauthorizeAsync(WorkspaceKey rejected)
        {
            state.KeyReread = true;
            sink._keys.Invalidate();
            return ValueTask.CompletedTask;
        }

        public override void OnRetry(AttemptVerdict why, Outcome outcome, AttemptContext context, TimeSpan delay)
        {
            state.Tally.Retried();
            if (why == AttemptVerdict.Reauthorize)
            {
                sink._logger.LogWarning("Data Collector answered 403 {ErrorCode} to batch {Batch}/{Batches}; re-reading the workspace key from Key Vault once", outcome.Code, number, count);
                return;
            }

            sink._logger.LogWarning(
                "Data Collector batch {Batch}/{Batches} attempt {Attempt}/{MaxAttempts}: {Outcome}; retrying in {DelayMs} ms",
                number, count, context.Attempt, sink._delivery.MaxAttempts, outcome.Describe(), delay.TotalMilliseconds);
        }
    }

    private async Task<Outcome> SendOnceAsync(DeliveryState state, RecordBatch batch, WorkspaceKey key, CancellationToken cancellationToken)
    {
        var date = DataCollectorSignature.FormatDate(_timeProvider.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, _requestUri);
        var authorization = DataCollectorSignature.Authorization(_options.WorkspaceId!, key, batch.Body.Length, date);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("Log-Type", state.LogType);
        request.Headers.TryAddWithoutValidation("x-ms-date", date);
        request.Headers.TryAddWithoutValidation("time-generated-field", TimeGeneratedField);
        if (!string.IsNullOrEmpty(_options.AzureResourceId))
        {
            request.Headers.TryAddWithoutValidation("x-ms-AzureResourceId", _options.AzureResourceId);
        }

        request.Content = ExactContent.Json(batch.Body);
        try
        {
            using var response = await state.Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return new Outcome(HttpStatusCode.OK, null, null, null);
            }

            // The answer may echo the request's signature (or worse): it reaches the run's delivery error and the log only redacted.
            var (code, message) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            return new Outcome(
                response.StatusCode, key.RedactFrom(code, authorization), message is null ? null : key.RedactFrom(message, authorization), RetryAfter.Read(response, _timeProvider.GetUtcNow()));
        }
        catch (Exception ex) when (RetryRules.IsTransientFault(ex, cancellationToken))
        {
            return new Outcome(null, ex.GetType().Name, key.RedactFrom(ex.Message, authorization), null);
        }
    }

    /// <summary>The service's <c>{"Error":"…","Message":"…"}</c> body (or whatever text came back).</summary>
    private static async Task<(string? Code, string? Message)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return (Property(root, "Error"), Property(root, "Message"));
        }
        catch (JsonException)
        {
            return (null, text.Length > 200 ? text[..200] : text);
        }

        static string? Property(JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                {
                    return property.Value.GetString();
                }
            }

            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,100}$")]
    private static partial Regex LogTypePattern();

    private sealed class DeliveryState(string logType, HttpClient client, DeliveryTally tally)
    {
        public string LogType { get; } = logType;

        public HttpClient Client { get; } = client;

        public DeliveryTally Tally { get; } = tally;

        /// <summary>The one Key Vault re-read this delivery may do after a 403 has been used.</summary>
        public bool KeyReread { get; set; }

        /// <summary>Set when Key Vault cannot be read: the remaining batches fail with this message without being sent.</summary>
        public string? KeyUnavailable { get; set; }
    }

    /// <summary>Why a batch failed, and whether it may be sent again later.</summary>
    private sealed record BatchFailure(string Error, bool Resendable);

    /// <summary>One attempt's answer: a status (null for a connection fault or timeout), the service's error code and message.</summary>
    private sealed record Outcome(HttpStatusCode? Status, string? Code, string? Message, TimeSpan? RetryAfter)
    {
        public string Describe() => Status is { } status
            ? $"{(int)status} {Code ?? status.ToString()}{(Message is null ? "" : $" ({Message})")}"
            : $"{Code}: {Message}";
    }
}
