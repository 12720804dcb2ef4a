namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Logs Ingestion API sink: section <c>IamKey:LogsIngestion</c>. Required when <c>IamKey:Delivery:Sink</c> is <c>LogsIngestion</c>.</summary>
public sealed class LogsIngestionOptions
{
    public const string SectionName = "IamKey:LogsIngestion";

    /// <summary>The DCR's <c>properties.endpoints.logsIngestion</c> (or a DCE).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The DCR's immutable ID, <c>dcr-…</c>.</summary>
    public string? DcrImmutableId { get; set; }

    public string KeyRecordStream { get; set; } = "Custom-AwsAccessKeyReport";

    public string RunSummaryStream { get; set; } = "Custom-AwsAccessKeyRunSummary";

    /// <summary>The DCR stream of the change events.</summary>
    public string KeyEventStream { get; set; } = "Custom-AwsAccessKeyEvents";

    /// <summary>Token audience; <c>https://monitor.azure.us</c> or <c>https://monitor.azure.cn</c> in sovereign clouds.</summary>
    public Uri Audience { get; set; } = new("https://monitor.azure.com");

    /// <summary>Largest request body as sent (gzip); the API accepts at most 1 MB per call. Lowered by tests (not bound from configuration).</summary>
    internal int MaxRequestBytes { get; set; } = 1_000_000;

    /// <summary>Largest field value; the API truncates values over 64 KB, so larger records are refused before sending (not bound from configuration).</summary>
    internal int MaxFieldBytes { get; set; } = 64_000;
}
