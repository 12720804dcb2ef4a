using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Options;

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

    /// <summary>Attempts per batch (first try included) on 429, 500 and 503.</summary>
    [Range(1, 10, ErrorMessage = "IamKey:Delivery:MaxAttempts must be between 1 and 10.")]
    public int MaxAttempts { get; set; } = 4;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "IamKey:Delivery:RetryBaseDelay must be between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}

public enum SinkMode
{
    DataCollector,
    LogsIngestion,
    None,
}
