using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Cross-field checks of <c>IamKey:Collection</c> that attributes cannot express. Every message names the setting.</summary>
internal sealed class CollectionOptionsValidator : IValidateOptions<CollectionOptions>
{
    public ValidateOptionsResult Validate(string? name, CollectionOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add("IamKey:Collection:Mode must be Live or Report.");
        }

        if (!Enum.IsDefined(options.KeyIdFormat))
        {
            errors.Add("IamKey:Collection:KeyIdFormat must be Masked, Full or Sha256.");
        }

        if (options.RetryBaseDelay > options.RetryMaxDelay)
        {
            errors.Add("IamKey:Collection:RetryBaseDelay must not be longer than IamKey:Collection:RetryMaxDelay.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
