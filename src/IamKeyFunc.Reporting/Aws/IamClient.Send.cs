using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Federation;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace IamKeyFunc.Reporting.Aws;

/// <summary>The send/retry loop: sign, send, classify, back off.</summary>
public partial class IamClient
{
    private const int MaxMessageLength = 512;

    private async Task<XElement> SendAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        byte[] body = FormBody(action, parameters);
        int sent = 0;
        int transientFailures = 0;
        bool credentialsRefreshed = false;
        while (true)
        {
            // The slot is held through the backoff below: while IAM throttles, the account's request rate drops,
            // not only its concurrency (with near-zero latency, a concurrency bound alone does not slow anything).
            using var lease = await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var credentials = await GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
            sent++;
            var attempt = await SendOnceAsync(action, body, credentials, cancellationToken).ConfigureAwait(false);
            if (attempt.Result is { } result)
            {
                _limiter.OnSuccess();
                return result;
            }

            if (IamException.IsThrottlingError(attempt.Code, attempt.Status))
            {
                Stats.RecordThrottled();
                _limiter.OnThrottled(lease);
            }

            if (attempt.Code is IamErrorCodes.ExpiredToken or IamErrorCodes.ExpiredTokenException
                && !credentialsRefreshed && _credentials is RefreshingAWSCredentials or StsSessionCredentials)
            {
                credentialsRefreshed = true;
                Stats.RecordCredentialRefresh();
                Stats.RecordRetry();
                LogExpiredToken(AccountLabel, action);
                await ForceRefreshAsync(_credentials, credentials).ConfigureAwait(false);
                continue;
            }

            if (!IamException.IsTransientError(attempt.Code, attempt.Status) || ++transientFailures >= _options.MaxAttempts)
            {
                throw ToException(action, attempt, sent);
            }

            Stats.RecordRetry();
            var delay = RetryBackoff.FullJitter(transientFailures, _options.RetryBaseDelay, _options.RetryMaxDelay);
            LogRetry(AccountLabel, action, attempt.Code, attempt.Status, sent, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Attempt> SendOnceAsync(string action, byte[] body, ImmutableCredentials credentials, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", FormContentType);
        var signature = _signer.Sign(request, body, credentials, _signingRegion, ServiceName);
        Stats.RecordCall(action);
        try
        {
            using var response = await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            string? headerRequestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return new Attempt(IamXml.Result(IamXml.Load(text), action), "", status, null, null, headerRequestId, null);
                }
                catch (XmlException ex)
                {
                    return new Attempt(null, IamErrorCodes.InvalidResponse, status, $"The response is not XML: {ex.Message}", null, headerRequestId, ex);
                }
            }

            if (IamXml.TryParseError(text) is { } error)
            {
                string message = Redact(error.Message ?? "", credentials, signature);
                return new Attempt(null, error.Code, status, message, error.Type, error.RequestId ?? headerRequestId, null);
            }

            string code = Enum.IsDefined(response.StatusCode) ? response.StatusCode.ToString() : $"Http{status}";
            string snippet = Redact(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), credentials, signature);
            return new Attempt(null, code, status, $"Non-XML error body: {(snippet.Length == 0 ? "(empty)" : snippet)}", null, headerRequestId, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new Attempt(null, IamErrorCodes.ConnectionFailure, 0, ex.Message, null, null, ex);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new Attempt(null, IamErrorCodes.RequestTimeout, 0, "The request timed out.", null, null, ex);
        }
    }

    /// <summary>Federation sessions honour cancellation; any other <see cref="AWSCredentials"/> is read as the SDK does.</summary>
    private Task<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
        _credentials is StsSessionCredentials session ? session.GetCredentialsAsync(cancellationToken) : _credentials.GetCredentialsAsync();

    /// <summary>
    /// Drops the cached session unless another caller already replaced it, so the next read refreshes
    /// (concurrent <c>ExpiredToken</c> answers cause one refresh, not one each).
    /// </summary>
    private static async Task ForceRefreshAsync(AWSCredentials credentials, ImmutableCredentials used)
    {
        switch (credentials)
        {
            case StsSessionCredentials session:
                session.Invalidate(used);
                break;
            case RefreshingAWSCredentials refreshing:
                var current = await refreshing.GetCredentialsAsync().ConfigureAwait(false);
                if (current.AccessKey == used.AccessKey && current.Token == used.Token)
                {
                    refreshing.ClearCredentials();
                }

                break;
        }
    }

    private IamException ToException(string action, Attempt attempt, int attempts)
    {
        string type = attempt.Type is null ? "" : $", {attempt.Type}";
        string status = attempt.Status == 0 ? "no response" : $"HTTP {attempt.Status}{type}";
        string requestId = attempt.RequestId is null ? "" : $" (request ID {attempt.RequestId})";
        string tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        return new IamException(
            $"IAM {action} failed for {AccountLabel} after {tries}: {attempt.Code} ({status}): {attempt.Message}{requestId}",
            attempt.Code, attempt.Status, attempt.RequestId, attempt.Type, action, attempts, attempt.Exception);
    }

    /// <summary>
    /// AWS's <c>SignatureDoesNotMatch</c> text can echo the canonical request, which holds the session token:
    /// cut it, blank any credential or signature that still appears, and bound the length.
    /// </summary>
    internal static string Redact(string message, ImmutableCredentials credentials, SigV4Signature? signature)
    {
        foreach (string marker in new[] { "The Canonical String", "The String-to-Sign", "Canonical String for this request" })
        {
            int at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                message = message[..at].TrimEnd() + " [canonical request omitted]";
            }
        }

        foreach (string? secret in new[] { credentials.Token, credentials.SecretKey, signature?.Signature })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                message = message.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return message.Length <= MaxMessageLength ? message : message[..MaxMessageLength] + "…";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "IAM {Action} for {Account}: {ErrorCode} (HTTP {StatusCode}) on attempt {Attempt}; retrying in {Delay}.")]
    private partial void LogRetry(string account, string action, string errorCode, int statusCode, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "IAM {Action} for {Account}: session token expired; refreshing the credentials and retrying once.")]
    private partial void LogExpiredToken(string account, string action);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Credential report for {Account} not ready ({State}); polling again in {Delay}.")]
    private partial void LogReportPending(string account, string state, TimeSpan delay);

    /// <summary>One HTTP attempt: either a result element or an error description.</summary>
    private sealed record Attempt(XElement? Result, string Code, int Status, string? Message, string? Type, string? RequestId, Exception? Exception);
}
