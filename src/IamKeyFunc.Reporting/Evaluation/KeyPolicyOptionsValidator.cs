using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>Compiles the policies and exemptions at start, so a bad one stops the host naming the policy and the field.</summary>
internal sealed class KeyPolicyOptionsValidator(IOptions<FindingsOptions> findings, TimeProvider time) : IValidateOptions<KeyPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyPolicyOptions options)
    {
        FindingsOptions thresholds;
        try
        {
            thresholds = findings.Value;
        }
        catch (OptionsValidationException)
        {
            // IamKey:Findings is reported on its own.
            return ValidateOptionsResult.Skip;
        }

        return KeyPolicyCompiler.TryCompile(options, thresholds, time.GetUtcNow(), out _, out var errors)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors);
    }
}
