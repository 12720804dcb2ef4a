using Amazon.Runtime;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Retries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// The one signed request path to AWS for one account and service endpoint. Each attempt is paced
/// (<see cref="IRequestPacer"/>), signed afresh with SigV4 at the endpoint's corrected time, sent with a deadline that
/// covers the whole body, and classified by the service's <see cref="IAwsProtocol"/>. Throttling, 5xx, timeouts and
/// connection faults are retried with full-jitter backoff; <c>ExpiredToken</c> refreshes the credentials once; an answer
/// that rejects the request's time corrects the clock from its <c>Date</c> header and retries once. Error messages are
/// redacted before they leave, and failures surface as the protocol's own exception.
/// </summary>
public sealed partial class AwsRequestPipeline
{
    private const int MaxMessageLength = 512;

    private readonly HttpClient _httpClient;
    private readonly CredentialSource _credentials;
    private readonly AwsEndpoint _endpoint;
    private readonly AwsPipelineOptions _options;
    private readonly IRequestPacer _pacer;
    private readonly TimeProvider _timeProvider;
    private readonly ClockSkew _clockSkew;
    private readonly SigV4Signer _signer;
    private readonly ILogger _logger;

    /// <param name="httpClient">From <see cref="IHttpClientFactory"/>.</param>
    /// <param name="credentials">Read per attempt, so refreshed values are used.</param>
    /// <param name="endpoint">The service endpoint and its signing scope.</param>
    /// <param name="options">Attempts, backoff and per-attempt deadline.</param>
    /// <param name="pacer">The pacing step; <see cref="UnpacedRequests.Instance"/> for none.</param>
    /// <param name="timeProvider">The clock for signing and backoff.</param>
    /// <param name="logger">Retries and refreshes.</param>
    /// <param name="accountLabel">How the account appears in messages (an account ID); never a secret.</param>
    /// <param name="stats">Counts calls, throttles, retries and refreshes; a fresh one when null.</param>
    /// <param name="clockSkew">Per-endpoint clock corrections; <see cref="ClockSkew.Shared"/> when null.</param>
    public AwsRequestPipeline(
        HttpClient httpClient,
        AWSCredentials credentials,
        AwsEndpoint endpoint,
        AwsPipelineOptions options,
        IRequestPacer pacer,
        TimeProvider timeProvider,
        ILogger? logger,
        string accountLabel,
        AwsCallStats? stats = null,
        ClockSkew? clockSkew = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pacer);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = httpClient;
        _credentials = new CredentialSource(credentials);
        _endpoint = endpoint;
        _options = options;
        _pacer = pacer;
        _timeProvider = timeProvider;
        _clockSkew = clockSkew ?? ClockSkew.Shared;
        _signer = new SigV4Signer(_clockSkew.ClockFor(endpoint.Uri, timeProvider));
        _logger = logger ?? NullLogger.Instance;
        AccountLabel = accountLabel;
        Stats = stats ?? new AwsCallStats();
    }

    public string AccountLabel { get; }

    public AwsCallStats Stats { get; }

    /// <summary>Sends <paramref name="request"/> until the protocol accepts an answer, or throws the protocol's exception.</summary>
    public async Task<AwsResponse> SendAsync(AwsRequest request, IAwsProtocol protocol, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(protocol);
        var schedule = new RetrySchedule(_options.MaxAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay, BackoffJitter.Full);
        var result = await SignedCallLoop.RunAsync(new Call(this, request, protocol), schedule, _timeProvider, cancellationToken).ConfigureAwait(false);
        return result.Last.Response ?? throw Fail(protocol, request.Operation, result.Last, result.Sent);
    }

    /// <summary>
    /// One request through <see cref="SignedCallLoop"/>. The pacer's lease is held through the backoff: while the
    /// service throttles, the account's request rate drops, not only its concurrency. <c>ExpiredToken</c> refreshes the
    /// credentials once; an answer rejecting the request's time corrects the clock once; throttling, 5xx, timeouts and
    /// connection faults are transient.
    /// </summary>
    private sealed class Call(AwsRequestPipeline pipeline, AwsRequest request, IAwsProtocol protocol) : SignedCall<ImmutableCredentials, Attempt>
    {
        private IDisposable? _lease;

        public override async ValueTask<IDisposable?> BeginAttemptAsync(CancellationToken cancellationToken)
        {
            _lease = await pipeline._pacer.AcquireAsync(cancellationToken).ConfigureAwait(false);
            return _lease;
        }

        public override async ValueTask<ImmutableCredentials> AuthorizeAsync(CancellationToken cancellationToken) =>
            await pipeline._credentials.GetAsync(cancellationToken).ConfigureAwait(false);

        public override async Task<AttemptOutcome<Attempt>> SendAsync(ImmutableCredentials credential, AttemptContext context, CancellationToken cancellationToken)
        {
            var attempt = await pipeline.SendOnceAsync(request, protocol, credential, cancellationToken).ConfigureAwait(false);
            var lease = _lease!;
            if (attempt.Response is not null)
            {
                pipeline._pacer.OnSuccess(lease);
                return new(AttemptVerdict.Accepted, attempt);
            }

            var error = attempt.Error!;
            if (RetryRules.IsThrottling(error.Code, attempt.Status))
            {
                pipeline.Stats.RecordThrottled();
                pipeline._pacer.OnThrottled(lease);
            }

            if (error.Code is AwsPipelineErrorCodes.ExpiredToken or AwsPipelineErrorCodes.ExpiredTokenException
                && context.CanReauthorize && pipeline._credentials.CanRefresh)
            {
                return new(AttemptVerdict.Reauthorize, attempt);
            }

            if (context.CanCorrect && ClockSkew.ErrorCodes.Contains(error.Code)
                && pipeline._clockSkew.TryCorrect(pipeline._endpoint.Uri, attempt.SignedAt, attempt.ServerDate, pipeline._timeProvider.GetUtcNow()))
            {
                return new(AttemptVerdict.Correct, attempt);
            }

            return new(RetryRules.IsTransient(error.Code, attempt.Status) ? AttemptVerdict.Transient : AttemptVerdict.Permanent, attempt);
        }

        public override async ValueTask ReauthorizeAsync(ImmutableCredentials rejected) =>
            await pipeline._credentials.InvalidateAsync(rejected).ConfigureAwait(false);

        public override void OnRetry(AttemptVerdict why, Attempt outcome, AttemptContext context, TimeSpan delay)
        {
            pipeline.Stats.RecordRetry();
            switch (why)
            {
                case AttemptVerdict.Reauthorize:
                    pipeline.Stats.RecordCredentialRefresh();
                    pipeline.LogExpiredToken(protocol.ServiceName, request.Operation, pipeline.AccountLabel);
                    break;
                case AttemptVerdict.Correct:
                    pipeline.LogClockSkew(protocol.ServiceName, request.Operation, pipeline.AccountLabel, pipeline._clockSkew.OffsetFor(pipeline._endpoint.Uri));
                    break;
                default:
                    pipeline.LogRetry(protocol.ServiceName, request.Operation, pipeline.AccountLabel, outcome.Error!.Code, outcome.Status, context.Sent, delay);
                    break;
            }
        }
    }

    private async Task<Attempt> SendOnceAsync(AwsRequest request, IAwsProtocol protocol, ImmutableCredentials credentials, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint.Uri) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        foreach (var (name, value) in request.Headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        var signedAt = _timeProvider.GetUtcNow() + _clockSkew.OffsetFor(_endpoint.Uri);
        var signature = _signer.Sign(message, request.Body, credentials, _endpoint.SigningRegion, _endpoint.SigningService);
        Stats.RecordCall(request.Operation);

        // One deadline for the whole attempt, headers and body alike: a body that trickles in cannot hold the call.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            string? headerRequestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
            int status = (int)response.StatusCode;
            var error = protocol.ReadError(request.Operation, status, body);
            if (error is null)
            {
                return new Attempt(new AwsResponse(status, body, headerRequestId), null, status, signedAt, null, null);
            }

            var redacted = error with
            {
                Message = Redact(error.Message ?? "", credentials, signature),
                RequestId = error.RequestId ?? headerRequestId,
            };
            return new Attempt(null, redacted, status, signedAt, response.Headers.Date, null);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt(null, new AwsError(AwsPipelineErrorCodes.RequestTimeout, $"No complete answer within {_options.RequestTimeout}."), 0, signedAt, null, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException)
        {
            var code = ex is TimeoutException ? AwsPipelineErrorCodes.RequestTimeout : AwsPipelineErrorCodes.ConnectionFailure;
            return new Attempt(null, new AwsError(code, Redact(ex.Message, credentials, signature)), 0, signedAt, null, ex);
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            return new Attempt(null, new AwsError(AwsPipelineErrorCodes.InvalidResponse, $"The answer is not valid text: {ex.Message}"), 200, signedAt, null, ex);
        }
        catch (InvalidOperationException ex)
        {
            // An unknown charset in Content-Type.
            return new Attempt(null, new AwsError(AwsPipelineErrorCodes.InvalidResponse, $"The answer could not be decoded: {ex.Message}"), 200, signedAt, null, ex);
        }
    }

    private ServiceException Fail(IAwsProtocol protocol, string operation, Attempt attempt, int attempts)
    {
        var error = attempt.Error!;
        string type = error.Type is null ? "" : $", {error.Type}";
        string status = attempt.Status == 0 ? "no response" : $"HTTP {attempt.Status}{type}";
        string requestId = error.RequestId is null ? "" : $" (request ID {error.RequestId})";
        string tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        var failure = new AwsFailure(operation, error.Code, attempt.Status, error.Message ?? "", error.Type, error.RequestId, attempts, attempt.Exception);
        return protocol.CreateException(
            failure,
            $"{protocol.ServiceName} {operation} failed for {AccountLabel} after {tries}: {error.Code} ({status}): {error.Message}{requestId}");
    }

    /// <summary>
    /// AWS's <c>SignatureDoesNotMatch</c> text can echo the canonical request, which holds the session token: cut it,
    /// redact any part of the credentials and the signature that still appears (<see cref="MessageText.Redact"/>), and
    /// bound the length.
    /// </summary>
    internal static string Redact(string message, ImmutableCredentials? credentials, SigV4Signature? signature) =>
        Redact(message, [credentials?.Token, credentials?.SecretKey, signature?.Signature]);

    /// <summary>As <see cref="Redact(string, ImmutableCredentials?, SigV4Signature?)"/>, with the secrets the request carried.</summary>
    internal static string Redact(string message, IEnumerable<string?> secrets)
    {
        foreach (string marker in new[] { "The Canonical String", "The String-to-Sign", "Canonical String for this request" })
        {
            int at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                message = message[..at].TrimEnd() + " [canonical request omitted]";
            }
        }

        return MessageText.CutMiddle(MessageText.OneLine(MessageText.Redact(message, secrets)), MaxMessageLength);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service} {Operation} for {Account}: {ErrorCode} (HTTP {StatusCode}) on attempt {Attempt}; retrying in {Delay}.")]
    private partial void LogRetry(string service, string operation, string account, string errorCode, int statusCode, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {Operation} for {Account}: session token expired; refreshing the credentials and retrying once.")]
    private partial void LogExpiredToken(string service, string operation, string account);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {Operation} for {Account}: the request's time was rejected; signing with the server's clock (offset {Offset}) and retrying once.")]
    private partial void LogClockSkew(string service, string operation, string account, TimeSpan offset);

    /// <summary>One HTTP attempt: an accepted answer, or the error it carried.</summary>
    private sealed record Attempt(AwsResponse? Response, AwsError? Error, int Status, DateTimeOffset SignedAt, DateTimeOffset? ServerDate, Exception? Exception);
}
