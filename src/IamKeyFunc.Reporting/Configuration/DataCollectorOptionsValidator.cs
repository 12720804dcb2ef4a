using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Cross-field checks of <c>IamKey:DataCollector</c> that attributes cannot express: they apply only when
/// <c>IamKey:Delivery:Sink</c> is <c>DataCollector</c>. Every message names the setting.
/// </summary>
internal sealed class DataCollectorOptionsValidator(IOptions<DeliveryOptions> delivery) : IValidateOptions<DataCollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, DataCollectorOptions options)
    {
        if (OptionsChecks.SelectedSink(delivery) != SinkMode.DataCollector)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        if (!Guid.TryParseExact(options.WorkspaceId, "D", out _))
        {
            errors.Add("IamKey:DataCollector:WorkspaceId must be the workspace ID (a GUID such as 00000000-0000-0000-0000-000000000000).");
        }

        if (!OptionsChecks.IsAbsoluteHttps(options.KeyVaultUri))
        {
            errors.Add("IamKey:DataCollector:KeyVaultUri must be the vault's absolute https URI, e.g. https://kv-iamkeys.vault.azure.net/.");
        }

        if (options.Endpoint is not null && !OptionsChecks.IsAbsoluteHttps(options.Endpoint))
        {
            errors.Add("IamKey:DataCollector:Endpoint must be an absolute https URI such as https://{workspaceId}.ods.opinsights.azure.us (leave it empty for the public cloud).");
        }

        if (!string.IsNullOrEmpty(options.AzureResourceId) && !options.AzureResourceId.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("IamKey:DataCollector:AzureResourceId must be an Azure resource ID starting with /subscriptions/.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
