using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Cross-field check of <c>IamKey:StateStorage</c>.</summary>
internal sealed class StateStorageOptionsValidator : IValidateOptions<StateStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StateStorageOptions options) => options.RetryBaseDelay > options.RetryMaxDelay
        ? ValidateOptionsResult.Fail($"{StateStorageOptions.SectionName}:{nameof(StateStorageOptions.RetryBaseDelay)} must not be longer than {StateStorageOptions.SectionName}:{nameof(StateStorageOptions.RetryMaxDelay)}.")
        : ValidateOptionsResult.Success;
}
