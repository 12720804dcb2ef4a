using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>Options of <see cref="LogsIngestionClient"/>, shaped like an Azure SDK <c>ClientOptions</c>.</summary>
public sealed class LogsIngestionClientOptions
{
    /// <summary>Token audience; the scope asked of the credential is <c>{Audience}/.default</c>.</summary>
    public Uri Audience { get; set; } = new("https://monitor.azure.com");

    /// <summary>Attempts per request (first try included) on 429, 5xx, connection faults and timeouts.</summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts, including one asked for by <c>Retry-After</c>.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where requests go; in the app a named <see cref="IHttpClientFactory"/> client. Default: one shared <see cref="HttpClient"/>.</summary>
    public Func<HttpClient>? HttpClientProvider { get; set; }

    /// <summary>Where retries and failures are logged (never tokens or bodies).</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Largest body as sent (after gzip); the service accepts at most 1 MB per call.</summary>
    internal int MaxRequestBytes { get; set; } = 1_000_000;
}
