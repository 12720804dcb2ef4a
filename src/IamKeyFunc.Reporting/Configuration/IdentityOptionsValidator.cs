using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Checks of <c>IamKey:Identity</c>: the client ID's shape, an https authority, and a development token that is a JWT with an expiry (never echoed).</summary>
public sealed class IdentityOptionsValidator : IValidateOptions<IdentityOptions>
{
    private const string Section = IdentityOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) && !Guid.TryParse(options.ManagedIdentityClientId, out _))
        {
            errors.Add($"{Section}:{nameof(IdentityOptions.ManagedIdentityClientId)} must be the user-assigned identity's client ID (a GUID), or empty.");
        }

        if (options.AuthorityHost is not null && !OptionsChecks.IsAbsoluteHttps(options.AuthorityHost))
        {
            errors.Add($"{Section}:{nameof(IdentityOptions.AuthorityHost)} must be an absolute https URI such as https://login.microsoftonline.us/, or empty.");
        }

        if (!string.IsNullOrWhiteSpace(options.DevelopmentToken) && !DevelopmentToken.TryReadExpiry(options.DevelopmentToken.Trim(), out _))
        {
            errors.Add(DevelopmentToken.NotAJwt);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Registered by hosts that never honour <c>IamKey:Identity:DevelopmentToken</c> (the Function app outside the
/// Development environment): a token set there is a start-up error rather than a silently ignored setting.
/// </summary>
public sealed class DevelopmentTokenNotAllowed(string environmentName) : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options) =>
        string.IsNullOrWhiteSpace(options?.DevelopmentToken)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{IdentityOptions.SectionName}:{nameof(IdentityOptions.DevelopmentToken)} is set, but the Function app honours it only in the " +
                $"Development environment (this one is '{environmentName}'): remove the setting; in Azure the managed identity gets the token.");
}
