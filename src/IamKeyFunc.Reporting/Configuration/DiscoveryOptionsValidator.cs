using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Checks <c>IamKey:Aws:Discovery</c> once at start; every message names the setting.</summary>
public sealed partial class DiscoveryOptionsValidator : IValidateOptions<DiscoveryOptions>
{
    private static readonly char[] Separators = [',', ';', ' ', '\t', '\r', '\n'];
    private static readonly char[] TagSeparators = [',', ';', '\r', '\n'];

    public ValidateOptionsResult Validate(string? name, DiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var section = DiscoveryOptions.SectionName;
        if (!Enum.IsDefined(options.Source))
        {
            errors.Add($"{section}:{nameof(DiscoveryOptions.Source)} must be Static or Organizations.");
        }

        if (!string.IsNullOrWhiteSpace(options.RoleArn) && !AwsArn.TryParseRole(options.RoleArn, out _))
        {
            errors.Add($"{section}:{nameof(DiscoveryOptions.RoleArn)} '{options.RoleArn}' is not an IAM role ARN (arn:aws:iam::111122223333:role/IamKeyFuncDiscovery), or leave it empty to use the central session.");
        }

        foreach (var (setting, value) in new[]
        {
            (nameof(DiscoveryOptions.IncludeOrganizationalUnits), options.IncludeOrganizationalUnits),
            (nameof(DiscoveryOptions.ExcludeOrganizationalUnits), options.ExcludeOrganizationalUnits),
        })
        {
            errors.AddRange(Split(value).Where(id => !IsParentId(id))
                .Select(id => $"{section}:{setting} contains '{id}': expected OU IDs (ou-ab12-cdef3456) or root IDs (r-ab12)."));
        }

        errors.AddRange(SplitTags(options.IncludeAccountTags).Where(tag => !TryParseTag(tag, out _))
            .Select(tag => $"{section}:{nameof(DiscoveryOptions.IncludeAccountTags)} contains '{tag}': expected Key=Value."));
        errors.AddRange(Split(options.ExcludeAccountIds).Where(id => id.Length != 12 || !id.All(char.IsAsciiDigit))
            .Select(id => $"{section}:{nameof(DiscoveryOptions.ExcludeAccountIds)} contains '{id}': expected 12-digit account IDs."));
        errors.AddRange(SplitTags(options.AccountTagKeys).Where(key => key.Length > 128)
            .Select(key => $"{section}:{nameof(DiscoveryOptions.AccountTagKeys)} contains a key longer than 128 characters."));

        // The same rule as the STS and IAM overrides: https, or http on a loopback address (an emulator); no query.
        AwsOptionsValidator.CheckEndpoint(options.Endpoint, $"{section}:{nameof(DiscoveryOptions.Endpoint)}", allowInsecureHttp: false, errors);
        if (options.Endpoint is { IsAbsoluteUri: true, Query.Length: > 0 })
        {
            errors.Add($"{section}:{nameof(DiscoveryOptions.Endpoint)} must not carry a query string.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The entries of a comma-separated list setting.</summary>
    public static IReadOnlyList<string> Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The entries of a tag list setting (tags may hold spaces, so only commas, semicolons and line breaks separate).</summary>
    public static IReadOnlyList<string> SplitTags(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(TagSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><c>Key=Value</c> (the value may be empty; the key may not).</summary>
    public static bool TryParseTag(string entry, out KeyValuePair<string, string> tag)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        tag = equals > 0 ? KeyValuePair.Create(entry[..equals].Trim(), entry[(equals + 1)..].Trim()) : default;
        return equals > 0 && tag.Key.Length > 0;
    }

    /// <summary>An OU ID (<c>ou-ab12-cdef3456</c>) or a root ID (<c>r-ab12</c>), as the Organizations API model defines them.</summary>
    public static bool IsParentId(string id) => ParentIdRegex().IsMatch(id);

    [GeneratedRegex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", RegexOptions.CultureInvariant)]
    private static partial Regex ParentIdRegex();
}
