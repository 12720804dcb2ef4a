using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Cross-field checks of <c>IamKey:Delivery</c>. Every message names the setting.</summary>
internal sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Sink))
        {
            errors.Add("IamKey:Delivery:Sink must be DataCollector, LogsIngestion or None.");
        }

        if (options.RetryBaseDelay > options.RetryMaxDelay)
        {
            errors.Add("IamKey:Delivery:RetryBaseDelay must not be longer than IamKey:Delivery:RetryMaxDelay.");
        }

        if (string.Equals(options.KeyRecordTable, options.RunSummaryTable, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("IamKey:Delivery:KeyRecordTable and IamKey:Delivery:RunSummaryTable must be different tables.");
        }

        if (string.Equals(options.KeyEventTable, options.KeyRecordTable, StringComparison.OrdinalIgnoreCase)
            || string.Equals(options.KeyEventTable, options.RunSummaryTable, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("IamKey:Delivery:KeyEventTable must differ from IamKey:Delivery:KeyRecordTable and RunSummaryTable.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
