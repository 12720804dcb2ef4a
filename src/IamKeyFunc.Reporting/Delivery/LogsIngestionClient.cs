using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Retries;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// A small client for the Azure Monitor Logs Ingestion API (<c>Azure.Monitor.Ingestion</c> is not available here),
/// shaped like an Azure SDK client: <c>POST {endpoint}/dataCollectionRules/{ruleId}/streams/{stream}?api-version=2023-01-01</c>
/// with a bearer token for <c>{Audience}/.default</c>, gzip bodies under 1 MB as sent, 204 on success, and retries
/// on 429 (honouring <c>Retry-After</c>), 5xx, connection faults and timeouts.
/// </summary>
public class LogsIngestionClient
{
    internal const string ApiVersion = "2023-01-01";

    private readonly LogsIngestionClientOptions _options;
    private readonly AccessTokenCache _tokens;
    private readonly Func<HttpClient> _httpClient;

    public LogsIngestionClient(Uri endpoint, TokenCredential credential, LogsIngestionClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        Endpoint = endpoint;
        _options = options ?? new LogsIngestionClientOptions();
        if (_options.MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
        }

        _tokens = new AccessTokenCache(credential, $"{_options.Audience.AbsoluteUri.TrimEnd('/')}/.default", _options.TimeProvider);
        _httpClient = _options.HttpClientProvider ?? (() => SharedHttpClient.Instance);
    }

    /// <summary>For mocking only.</summary>
    protected LogsIngestionClient()
    {
        Endpoint = null!;
        _options = new LogsIngestionClientOptions();
        _tokens = null!;
        _httpClient = null!;
    }

    public Uri Endpoint { get; }

    /// <summary>
    /// Splits the serialized records into gzip batches under the size limit and uploads them one after another.
    /// A batch that fails after its retries is reported in the result (with its <see cref="LogsIngestionException"/>)
    /// and the remaining batches are still sent.
    /// </summary>
    internal async Task<LogsUploadResult> UploadSerializedAsync(string ruleId, string streamName, IReadOnlyList<SerializedRecord> records, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(ruleId);
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        var tooLarge = new List<SerializedRecord>();
        var batches = GzipJsonArrayBatcher.Pack(records, _options.MaxRequestBytes, tooLarge);
        var results = new List<LogsUploadBatch>(batches.Count + tooLarge.Count);
        foreach (var record in tooLarge)
        {
            var error = new LogsIngestionException(
                $"Record {record.Index} was not sent: even alone it compresses to more than the {_options.MaxRequestBytes}-byte limit of one call.", 0, "RecordTooLarge", null);
            results.Add(new LogsUploadBatch([record.Index], record.Utf8.Length, 0, 0, error));
        }

        LogsIngestionException? credentialFailure = null;
        foreach (var batch in batches)
        {
            var indexes = batch.Records.Select(r => r.Index).ToArray();
            if (credentialFailure is not null)
            {
                // No token, no upload: the remaining batches fail with the same error instead of asking again.
                results.Add(new LogsUploadBatch(indexes, batch.UncompressedBytes, batch.Body.Length, 0, credentialFailure));
                continue;
            }

            try
            {
                var response = await UploadCompressedAsync(ruleId, streamName, batch.Body, cancellationToken).ConfigureAwait(false);
                results.Add(new LogsUploadBatch(indexes, batch.UncompressedBytes, batch.Body.Length, response.Attempts, null));
            }
            catch (LogsIngestionException ex)
            {
                results.Add(new LogsUploadBatch(indexes, batch.UncompressedBytes, batch.Body.Length, ex.Attempts, ex));
                if (ex.ErrorCode == CredentialUnavailable)
                {
                    credentialFailure = ex;
                }
            }
        }

        return new LogsUploadResult(results);
    }

    /// <summary>One gzip body through <see cref="SignedCallLoop"/>, retried until accepted or out of attempts.</summary>
    /// <exception cref="LogsIngestionException">The body was not accepted (<see cref="LogsIngestionException.IsTransient"/>
    /// says whether sending it later may succeed), or no token could be had (<see cref="CredentialUnavailable"/>).</exception>
    internal async Task<LogsUploadResponse> UploadCompressedAsync(string ruleId, string streamName, byte[] gzipBody, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{Endpoint.AbsoluteUri.TrimEnd('/')}/dataCollectionRules/{Uri.EscapeDataString(ruleId)}/streams/{Uri.EscapeDataString(streamName)}?api-version={ApiVersion}");
        var upload = new Upload(this, uri, streamName, gzipBody, Guid.NewGuid().ToString());
        var schedule = new RetrySchedule(_options.MaxAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay, BackoffJitter.RetryAfterOrProportional);
        var result = await SignedCallLoop.RunAsync(upload, schedule, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        if (result.Last.Response is { } response)
        {
            return response;
        }

        var failure = result.Last.Failure!;
        failure.IsTransient = result.Verdict == AttemptVerdict.Transient;
        _options.Logger.LogError("Logs Ingestion upload to stream {Stream} failed after {Attempts} attempt(s): {Error}", streamName, result.Attempts, failure.Message);
        throw failure;
    }

    internal const string CredentialUnavailable = "CredentialUnavailable";

    /// <summary>
    /// One upload, attempt by attempt, with a bearer token from the cache: 204 (or 200) is accepted; 401 drops the token
    /// and gets a new one once (a token revoked or expired early); 429, 5xx, connection faults and timeouts are transient.
    /// </summary>
    private sealed class Upload(LogsIngestionClient client, Uri uri, string streamName, byte[] gzipBody, string clientRequestId) : SignedCall<string, UploadAttempt>
    {
        private int _sent;

        public override async ValueTask<string> AuthorizeAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await client._tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException ex)
            {
                throw new LogsIngestionException(
                    $"Could not get a token for {client._options.Audience} to call Logs Ingestion ({ex.GetType().Name}); check the managed identity and IamKey:LogsIngestion:Audience.",
                    0,
                    CredentialUnavailable,
                    clientRequestId,
                    ex)
                {
                    Attempts = _sent,
                    IsTransient = true,
                };
            }
        }

        public override async Task<AttemptOutcome<UploadAttempt>> SendAsync(string credential, AttemptContext context, CancellationToken cancellationToken)
        {
            _sent = context.Attempt;
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
            request.Headers.TryAddWithoutValidation("x-ms-client-request-id", clientRequestId);
            request.Content = ExactContent.Json(gzipBody);
            request.Content.Headers.ContentEncoding.Add("gzip");
            try
            {
                using var response = await client._httpClient().SendAsync(request, cancellationToken).ConfigureAwait(false);
                var requestId = response.Headers.TryGetValues("x-ms-request-id", out var ids) ? ids.FirstOrDefault() : null;
                if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK)
                {
                    return new(AttemptVerdict.Accepted, new UploadAttempt(new LogsUploadResponse((int)response.StatusCode, clientRequestId, requestId, context.Attempt), null));
                }

                var failure = await ReadErrorAsync(response, requestId ?? clientRequestId, context.Attempt, credential, cancellationToken).ConfigureAwait(false);
                var verdict = response.StatusCode == HttpStatusCode.Unauthorized ? AttemptVerdict.Reauthorize
                    : RetryRules.IsRetryable(response.StatusCode) ? AttemptVerdict.Transient
                    : AttemptVerdict.Permanent;
                return new(verdict, new UploadAttempt(null, failure), RetryAfter.Read(response, client._options.TimeProvider.GetUtcNow()));
            }
            catch (Exception ex) when (RetryRules.IsTransientFault(ex, cancellationToken))
            {
                var failure = new LogsIngestionException($"Logs Ingestion request {clientRequestId} could not be completed: {ex.GetType().Name}: {MessageText.Redact(ex.Message, credential)}", 0, ex.GetType().Name, clientRequestId, ex)
                {
                    Attempts = context.Attempt,
                };
                return new(AttemptVerdict.Transient, new UploadAttempt(null, failure));
            }
        }

        public override ValueTask ReauthorizeAsync(string rejected)
        {
            client._tokens.Invalidate();
            return ValueTask.CompletedTask;
        }

        public override void OnRetry(AttemptVerdict why, UploadAttempt outcome, AttemptContext context, TimeSpan delay)
        {
            if (why == AttemptVerdict.Transient)
            {
                client._options.Logger.LogWarning(
                    "Logs Ingestion upload to stream {Stream} attempt {Attempt}/{MaxAttempts}: {Error}; retrying in {DelayMs} ms",
                    streamName, context.Attempt, client._options.MaxAttempts, outcome.Failure!.Message, delay.TotalMilliseconds);
            }
        }
    }

    /// <summary>One attempt: the accepted response, or the failure it carried.</summary>
    private sealed record UploadAttempt(LogsUploadResponse? Response, LogsIngestionException? Failure);

    /// <summary>The service's error; its text is redacted against the request's bearer <paramref name="token"/> (an answer may echo it, whole or in part).</summary>
    private static async Task<LogsIngestionException> ReadErrorAsync(HttpResponseMessage response, string requestId, int attempt, string token, CancellationToken cancellationToken)
    {
        var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.FirstOrDefault() : null;
        string? message = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object)
            {
                code ??= error.TryGetProperty("code", out var c) ? c.GetString() : null;
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            message = text.Length > 200 ? text[..200] : text;
        }

        var status = (int)response.StatusCode;
        code = code is null ? null : MessageText.Redact(code, token);
        message = string.IsNullOrEmpty(message) ? message : MessageText.Redact(message, token);
        return new LogsIngestionException(
            $"Logs Ingestion answered {status} {code ?? response.StatusCode.ToString()}{(string.IsNullOrEmpty(message) ? "" : $": {message}")} (request {requestId}).",
            status,
            code,
            requestId)
        {
            Attempts = attempt,
        };
    }

    private static class SharedHttpClient
    {
        public static readonly HttpClient Instance = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    }
}
