using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Retries of the calls to the Function's own storage account (<c>AzureWebJobsStorage</c>: the change-history snapshots
/// and a fan-out run's state): section <c>IamKey:StateStorage</c>. The Azure SDK pipeline retries them (429, 5xx,
/// connection faults, honouring <c>Retry-After</c>); these are its attempts, delays and per-try timeout, apart from
/// <c>IamKey:Delivery</c>'s, which are about the workspace.
/// </summary>
public sealed class StateStorageOptions
{
    public const string SectionName = "IamKey:StateStorage";

    /// <summary>Attempts per storage call (first try included).</summary>
    [Range(1, 10, ErrorMessage = "{0} must be between 1 and 10.")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt (exponential, with the SDK's jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "{0} must be between 00:00:00 and 00:01:00.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "{0} must be between 00:00:00 and 00:05:00.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one try of a storage call.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00", ErrorMessage = "{0} must be between 00:00:00.001 and 00:05:00.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
