using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Where records go: section <c>IamKey:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "IamKey:Delivery";

    /// <summary><c>DataCollector</c> (workspace key from Key Vault; the design card's default), <c>LogsIngestion</c> (DCR, no key), or <c>None</c> (collect only).</summary>
    public SinkMode Sink { get; set; } = SinkMode.DataCollector;

    /// <summary>Log type / table stem of the key records (<c>_CL</c> is appended by Log Analytics).</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_]{1,100}$", ErrorMessage = "{0} must be letters, digits or underscores, at most 100 characters.")]
    public string KeyRecordTable { get; set; } = "AwsAccessKeyReport";

    /// <summary>Log type / table stem of the per-account run summaries (the heartbeat).</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_]{1,100}$", ErrorMessage = "{0} must be letters, digits or underscores, at most 100 characters.")]
    public string RunSummaryTable { get; set; } = "AwsAccessKeyRunSummary";

    /// <summary>Log type / table stem of the change events (the <c>AwsAccessKeyEvents</c> table; see <c>IamKey:History</c>).</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_]{1,100}$", ErrorMessage = "{0} must be letters, digits or underscores, at most 100 characters.")]
    public string KeyEventTable { get; set; } = "AwsAccessKeyEvents";

    /// <summary>Attempts per batch (first try included) on 429, 500 and 503.</summary>
    [Range(1, 10, ErrorMessage = "{0} must be between 1 and 10.")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt with jitter. A <c>Retry-After</c> from the service takes precedence.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "{0} must be between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts, including one asked for by <c>Retry-After</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "{0} must be between 00:00:00 and 00:05:00.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-request timeout for Data Collector, Logs Ingestion and Key Vault calls; a timed-out request is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00", ErrorMessage = "{0} must be between 00:00:00.001 and 00:05:00.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How long a run may take from its start to its last delivery. After the last account, the recovery pass sends the
    /// batches that failed again until then (the run summaries last, with a third of the time left kept for them).
    /// Unset: 90 % of the Functions host's <c>functionTimeout</c> (<c>host.json</c>, or the
    /// <c>AzureFunctionsJobHost__functionTimeout</c> app setting) when the app runs under the host, otherwise
    /// <see cref="DefaultRunTimeBudget"/>. <c>00:00:00</c> turns the recovery pass off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "{0} must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan? RunTimeBudget { get; set; }

    /// <summary>The run time budget outside the Functions host (the CLI) when <see cref="RunTimeBudget"/> is not set.</summary>
    public static readonly TimeSpan DefaultRunTimeBudget = TimeSpan.FromMinutes(10);

    /// <summary>The host's <c>functionTimeout</c> (read from <c>host.json</c> by the registration, not from this section); null when unknown or unlimited.</summary>
    internal TimeSpan? HostFunctionTimeout { get; set; }

    /// <summary>Why the host's <c>functionTimeout</c> could not be read (reported at start); null when it could, or there is none.</summary>
    internal string? HostFunctionTimeoutProblem { get; set; }

    /// <summary><see cref="RunTimeBudget"/>, else 90 % of <see cref="HostFunctionTimeout"/>, else <see cref="DefaultRunTimeBudget"/>.</summary>
    public TimeSpan ResolveRunTimeBudget() => RunTimeBudget ?? (HostFunctionTimeout is { } timeout ? timeout * 0.9 : DefaultRunTimeBudget);
}

public enum SinkMode
{
    DataCollector,
    LogsIngestion,
    None,
}
