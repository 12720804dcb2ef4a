using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Options;

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
}
