using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Binds one configuration section into its options class with <see cref="StrictBinder"/>: a value that does not
/// convert (<c>IamKey:Delivery:Sink=Wat</c>) or a key the class does not have (<c>IamKey:Aws:RoleArnn</c>) becomes a
/// validation failure naming the setting, instead of an exception that hides every other problem or a silent default.
/// The property keeps its default; <see cref="BindingProblemsValidator{T}"/> reports the failure when the options are
/// validated (at start). Keys that are sections bound on their own (<paramref name="sections"/>: <c>Aws</c> under
/// <c>IamKey</c>, <c>Discovery</c> under <c>IamKey:Aws</c>) are known here and checked by their own binding.
/// </summary>
internal sealed class CheckedBinding<T>(IConfiguration configuration, string sectionName, IEnumerable<BoundSection> sections) : IConfigureOptions<T>
    where T : class
{
    public void Configure(T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = BindingProblems.For(options);
        var section = configuration.GetSection(sectionName);
        var node = SettingNode.Of(section, configuration as IConfigurationRoot);
        StrictBinder.BindInto(options, node, SettingPath.Section(section.Path), problems, BoundSection.ChildrenOf(sectionName, sections));
    }
}

/// <summary>A section bound by <see cref="OptionsRegistration.AddOptionsSection{T}"/>: its parent section knows its name.</summary>
internal sealed record BoundSection(string Path)
{
    /// <summary>The keys of <paramref name="parent"/> that lead to another bound section (<c>IamKey</c> → <c>Aws</c>, <c>Collection</c>, …).</summary>
    public static IReadOnlyCollection<string> ChildrenOf(string parent, IEnumerable<BoundSection> sections)
    {
        var prefix = parent + ConfigurationPath.KeyDelimiter;
        return [.. sections
            .Where(s => s.Path.Length > prefix.Length && s.Path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(s => s.Path[prefix.Length..].Split(ConfigurationPath.KeyDelimiter)[0])
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}

/// <summary>The binding failures of one options instance, kept beside it until it is validated.</summary>
internal static class BindingProblems
{
    private static readonly ConditionalWeakTable<object, List<string>> Table = [];

    public static List<string> For(object options) => Table.GetOrCreateValue(options);
}

/// <summary>Reports what <see cref="CheckedBinding{T}"/> could not bind, alongside every other validator's failures.</summary>
internal sealed class BindingProblemsValidator<T> : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        BindingProblems.For(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Skip;
}

/// <summary>
/// The data annotations of <typeparamref name="T"/>, each failure naming the full setting: an attribute's message
/// starts with <c>{0}</c>, which becomes <c>IamKey:Section:Property</c> (so no path is typed by hand).
/// </summary>
internal sealed class SettingAnnotationsValidator<T>(string sectionName) : IValidateOptions<T>
    where T : class
{
    private static readonly PropertyInfo[] Properties =
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();

    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var property in Properties)
        {
            var context = new System.ComponentModel.DataAnnotations.ValidationContext(options)
            {
                MemberName = property.Name,
                DisplayName = $"{sectionName}:{property.Name}",
            };
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateProperty(property.GetValue(options), context, results))
            {
                failures.AddRange(results.Select(r => r.ErrorMessage ?? $"{context.DisplayName} is invalid."));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
