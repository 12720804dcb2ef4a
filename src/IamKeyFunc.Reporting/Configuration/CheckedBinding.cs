using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Binds one configuration section into its options class property by property, so that one value that does not
/// convert (<c>IamKey:Delivery:Sink=Wat</c>) becomes a validation failure naming the setting and, for an enum, its
/// allowed values, instead of an exception that hides every other problem. The property keeps its default;
/// <see cref="BindingProblemsValidator{T}"/> reports the failure when the options are validated (at start).
/// </summary>
internal sealed class CheckedBinding<T>(IConfiguration section) : IConfigureOptions<T>
    where T : class
{
    private static readonly PropertyInfo[] Properties =
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || p.CanRead).ToArray();

    public void Configure(T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = BindingProblems.For(options);
        foreach (var property in Properties)
        {
            var child = section.GetSection(property.Name);
            if (!child.Exists())
            {
                continue;
            }

            try
            {
                Bind(options, property, child);
            }
            catch (InvalidOperationException)
            {
                problems.Add(Describe(child, property.PropertyType));
            }
        }
    }

    private static void Bind(T options, PropertyInfo property, IConfigurationSection child)
    {
        var current = property.CanRead ? property.GetValue(options) : null;
        if (IsScalar(property.PropertyType))
        {
            if (property.CanWrite)
            {
                property.SetValue(options, child.Get(property.PropertyType));
            }
        }
        else if (current is not null)
        {
            // Nested objects and lists keep their instance and defaults; an empty placeholder value (the sample's
            // IamKey__Policies="") binds nothing, as the configuration binder does.
            child.Bind(current);
        }
        else if (property.CanWrite && child.Get(property.PropertyType) is { } value)
        {
            property.SetValue(options, value);
        }
    }

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime)
            || underlying == typeof(Uri) || underlying == typeof(Guid);
    }

    /// <summary>The failure without echoing long values (a mistyped value could be a secret pasted into the wrong setting).</summary>
    internal static string Describe(IConfigurationSection child, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var value = child.Value is { } v ? $"'{(v.Length > 40 ? v[..40] + "…" : v)}'" : "a section";
        var expected = underlying switch
        {
            { IsEnum: true } => $"expected one of {string.Join(", ", Enum.GetNames(underlying))}",
            _ when underlying == typeof(TimeSpan) => "expected a duration such as 00:05:00 (hh:mm:ss) or 1.00:00:00 (days)",
            _ when underlying == typeof(bool) => "expected true or false",
            _ when underlying == typeof(Uri) => "expected a URL",
            _ when underlying.IsPrimitive || underlying == typeof(decimal) => $"expected a number ({underlying.Name})",
            _ => $"expected a value of type {underlying.Name}",
        };
        return $"{child.Path} is {value}: {expected}.";
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
