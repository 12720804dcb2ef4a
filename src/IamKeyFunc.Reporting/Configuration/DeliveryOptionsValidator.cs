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

        if (options.HostFunctionTimeoutProblem is { } problem)
        {
            errors.Add(problem);
        }

        if (options is { RunTimeBudget: { } budget, HostFunctionTimeout: { } timeout } && budget >= timeout)
        {
            errors.Add($"IamKey:Delivery:RunTimeBudget ({budget:c}) must be shorter than the Functions host's functionTimeout ({timeout:c}): the host would stop the run before its recovery pass and its run summaries end.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
