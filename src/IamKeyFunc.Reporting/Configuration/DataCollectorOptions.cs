using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>HTTP Data Collector API sink: section <c>IamKey:DataCollector</c>. Required when <c>IamKey:Delivery:Sink</c> is <c>DataCollector</c>.</summary>
public sealed class DataCollectorOptions
{
    public const string SectionName = "IamKey:DataCollector";

    /// <summary>Log Analytics workspace (customer) ID, a GUID.</summary>
    public string? WorkspaceId { get; set; }

    /// <summary>The vault holding the workspace shared key, e.g. <c>https://kv-iamkeys.vault.azure.net/</c>.</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Name of the secret holding the workspace shared key (base64).</summary>
    [RegularExpression(@"^[0-9a-zA-Z-]{1,127}$", ErrorMessage = "IamKey:DataCollector:WorkspaceKeySecretName must be a Key Vault secret name (letters, digits, dashes).")]
    public string WorkspaceKeySecretName { get; set; } = "law-shared-key";

    /// <summary>Endpoint override; default <c>https://{WorkspaceId}.ods.opinsights.azure.com</c> (Azure Government: <c>.ods.opinsights.azure.us</c>, Azure China: <c>.ods.opinsights.azure.cn</c>).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Optional Azure resource ID sent as <c>x-ms-AzureResourceId</c> (fills <c>_ResourceId</c>).</summary>
    public string? AzureResourceId { get; set; }

    /// <summary>How long the workspace key is kept in memory before Key Vault is read again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "IamKey:DataCollector:KeyCacheDuration must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The default endpoint for <see cref="WorkspaceId"/> in the public cloud.</summary>
    public Uri ResolveEndpoint() => Endpoint ?? new Uri($"https://{WorkspaceId}.ods.opinsights.azure.com/");

    /// <summary>Largest request body; the API refuses posts over 30 MB. Lowered by tests to force small batches (not bound from configuration).</summary>
    internal int MaxPostBytes { get; set; } = 30_000_000;

    /// <summary>Largest field value; the API truncates values over 32 KB, so larger records are refused before sending (not bound from configuration).</summary>
    internal int MaxFieldBytes { get; set; } = 32_000;

    /// <summary>
    /// Tests only: lets <c>SecretClient</c> accept a bearer challenge whose resource does not match the vault host
    /// (a loopback vault at 127.0.0.1). Never bound from configuration; false in production.
    /// </summary>
    internal bool DisableChallengeResourceVerification { get; set; }
}
