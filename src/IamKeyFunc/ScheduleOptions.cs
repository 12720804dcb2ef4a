using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using NCrontab;

namespace IamKeyFunc;

/// <summary>
/// The <see cref="Functions.DailyReport"/> timer's schedule. The Functions host reads the trigger expression
/// <c>%IAMKEY_SCHEDULE%</c> from the root app setting; the worker binds the same setting here and validates it at
/// start-up, so a typo stops the host with a message that names the setting instead of a silent non-firing timer.
/// </summary>
internal sealed class ScheduleOptions
{
    public const string SettingName = "IAMKEY_SCHEDULE";

    /// <summary>Daily at 06:00 UTC: what <c>local.settings.sample.json</c> and the Bicep app settings use.</summary>
    public const string DefaultSchedule = "0 0 6 * * *";

    [ConfigurationKeyName(SettingName)]
    public string? Schedule { get; set; }
}

/// <summary>Checks <see cref="ScheduleOptions.Schedule"/> with the same six-field NCRONTAB grammar (seconds first) the timer trigger uses.</summary>
internal sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    private static readonly CrontabSchedule.ParseOptions SixFields = new() { IncludingSeconds = true };

    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Schedule))
        {
            return ValidateOptionsResult.Fail(
                $"{ScheduleOptions.SettingName} is not set. It is the DailyReport timer's NCRONTAB schedule, e.g. \"{ScheduleOptions.DefaultSchedule}\" (daily at 06:00 UTC).");
        }

        return CrontabSchedule.TryParse(options.Schedule, SixFields) is null
            ? ValidateOptionsResult.Fail(
                $"{ScheduleOptions.SettingName} '{options.Schedule}' is not a six-field NCRONTAB expression \"{{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}\", e.g. \"{ScheduleOptions.DefaultSchedule}\".")
            : ValidateOptionsResult.Success;
    }
}
