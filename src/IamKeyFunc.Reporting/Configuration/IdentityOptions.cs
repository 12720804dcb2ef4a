namespace IamKeyFunc.Reporting.Configuration;

/// <summary>The Azure identity used for everything (Entra token for AWS, Key Vault, Logs Ingestion): section <c>IamKey:Identity</c>.</summary>
public sealed class IdentityOptions
{
    public const string SectionName = "IamKey:Identity";

    /// <summary>Client ID of the user-assigned managed identity; empty for system-assigned or developer credentials.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Entra authority, e.g. <c>https://login.microsoftonline.us/</c> for Azure Government; default public cloud.</summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>
    /// Local debugging only: a fixed token used as the Entra token for <c>IamKey:Aws:Audience</c> instead of asking an
    /// identity (e.g. the test token <c>iamkeys emulator</c> prints for the loopback AWS emulator). Honoured by
    /// <c>iamkeys</c> and by the Function app in the Development environment (<c>func start</c>) only; it answers no
    /// other scope, so Key Vault and Logs Ingestion still need a real identity (use the <c>None</c> sink or <c>--output</c>).
    /// </summary>
    public string? DevelopmentToken { get; set; }
}
