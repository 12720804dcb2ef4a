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
    [RegularExpression(@"^[A-Za-z0-9_]{1,100}$", ErrorMessage = "IamKey:Delivery:KeyRecordTable must be letters, digits or underscores, at most 100 characters.")]
    public string KeyRecordTable { get; set; } = "AwsAccessKeyReport";

    /// <summary>Log type / table stem of the per-account run summaries (the heartbeat).</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_]{1,100}$", ErrorMessage = "IamKey:Delivery:RunSummaryTable must be letters, digits or underscores, at most 100 characters.")]
    public string RunSummaryTable { get; set; } = "AwsAccessKeyRunSummary";

    /// <summary>Log type / table stem of the change events (the <c>AwsAccessKeyEvents</c> table; see <c>IamKey:History</c>).</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_]{1,100}$", ErrorMessage = "IamKey:Delivery:KeyEventTable must be letters, digits or underscores, at most 100 characters.")]
    public string KeyEventTable { get; set; } = "AwsAccessKeyEvents";

    /// <summary>Attempts per batch (first try included) on 429, 500 and 503.</summary>
    [Range(1, 10, ErrorMessage = "IamKey:Delivery:MaxAttempts must be between 1 and 10.")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt with jitter. A <c>Retry-After</c> from the service takes precedence.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "IamKey:Delivery:RetryBaseDelay must be between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts, including one asked for by <c>Retry-After</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "IamKey:Delivery:RetryMaxDelay must be between 00:00:00 and 00:05:00.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-request timeout for Data Collector, Logs Ingestion and Key Vault calls; a timed-out request is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00", ErrorMessage = "IamKey:Delivery:RequestTimeout must be between 00:00:00.001 and 00:05:00.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}

public enum SinkMode
{
    DataCollector,
    LogsIngestion,
    None,
}
