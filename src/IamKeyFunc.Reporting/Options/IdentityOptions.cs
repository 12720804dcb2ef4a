namespace IamKeyFunc.Reporting.Options;

/// <summary>The Azure identity used for everything (Entra token for AWS, Key Vault, Logs Ingestion): section <c>IamKey:Identity</c>.</summary>
public sealed class IdentityOptions
{
    public const string SectionName = "IamKey:Identity";

    /// <summary>Client ID of the user-assigned managed identity; empty for system-assigned or developer credentials.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Entra authority, e.g. <c>https://login.microsoftonline.us/</c> for Azure Government; default public cloud.</summary>
    public Uri? AuthorityHost { get; set; }
}
