using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Cross-field checks of <c>IamKey:LogsIngestion</c>: they apply only when <c>IamKey:Delivery:Sink</c> is
/// <c>LogsIngestion</c>. Every message names the setting.
/// </summary>
internal sealed partial class LogsIngestionOptionsValidator(IOptions<DeliveryOptions> delivery) : IValidateOptions<LogsIngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, LogsIngestionOptions options)
    {
        if (OptionsChecks.SelectedSink(delivery) != SinkMode.LogsIngestion)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        if (!OptionsChecks.IsAbsoluteHttps(options.Endpoint))
        {
            errors.Add("IamKey:LogsIngestion:Endpoint must be the DCR's logs ingestion endpoint (an absolute https URI, the DCR's properties.endpoints.logsIngestion).");
        }

        if (options.DcrImmutableId is null || !DcrImmutableIdPattern().IsMatch(options.DcrImmutableId))
        {
            errors.Add("IamKey:LogsIngestion:DcrImmutableId must be the DCR's immutable ID: dcr- followed by 32 hex digits.");
        }

        if (options.KeyRecordStream is null || !StreamNamePattern().IsMatch(options.KeyRecordStream))
        {
            errors.Add("IamKey:LogsIngestion:KeyRecordStream must be a DCR stream name: Custom- followed by letters, digits or underscores.");
        }

        if (options.RunSummaryStream is null || !StreamNamePattern().IsMatch(options.RunSummaryStream))
        {
            errors.Add("IamKey:LogsIngestion:RunSummaryStream must be a DCR stream name: Custom- followed by letters, digits or underscores.");
        }

        if (options.KeyEventStream is null || !StreamNamePattern().IsMatch(options.KeyEventStream))
        {
            errors.Add("IamKey:LogsIngestion:KeyEventStream must be a DCR stream name: Custom- followed by letters, digits or underscores.");
        }

        if (!OptionsChecks.IsAbsoluteHttps(options.Audience))
        {
            errors.Add("IamKey:LogsIngestion:Audience must be an absolute https URI such as https://monitor.azure.com.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^dcr-[0-9a-fA-F]{32}$")]
    private static partial Regex DcrImmutableIdPattern();

    [GeneratedRegex("^Custom-[A-Za-z0-9_]{1,100}$")]
    private static partial Regex StreamNamePattern();
}
