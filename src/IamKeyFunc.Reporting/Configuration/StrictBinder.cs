using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Binds a settings tree (<see cref="SettingNode"/>) into an options object, refusing what it does not know instead of
/// ignoring it. Every key must be a public settable property of the class at its depth (or a section bound on its own,
/// such as <c>IamKey:Aws:Discovery</c> under <c>IamKey:Aws</c>); an unknown key is a problem naming it and the known key
/// it most likely meant. A value that does not convert is a problem naming its full path and what was expected. A list
/// is numbered from 0 without gaps, and each entry is bound into its own instance even when some of its values are
/// bad, so no entry is ever dropped. An empty value where a section or a list goes (the sample's
/// <c>IamKey__Policies=""</c>) is a placeholder that binds nothing.
/// </summary>
/// <remarks>
/// Names match case-insensitively, as configuration keys do. Every problem is collected (nothing throws), so one bad
/// value does not hide the others. Supported property types: the scalars of <see cref="IsScalar"/>, classes with a
/// parameterless constructor, and <see cref="List{T}"/> of either.
/// </remarks>
internal static class StrictBinder
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> PropertiesByType = new();

    /// <summary>Binds <paramref name="node"/> into <paramref name="target"/>; what is absent keeps the target's default.</summary>
    /// <param name="subsections">Keys of <paramref name="node"/> that are sections bound on their own (known, not bound here).</param>
    public static void BindInto(object target, SettingNode node, SettingPath path, ICollection<string> problems, IReadOnlyCollection<string>? subsections = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(problems);
        BindObject(target, node, path, problems, subsections ?? []);
    }

    /// <summary>The public settable properties a settings key can name, by name (ignoring case).</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> Properties(Type type) => PropertiesByType.GetOrAdd(type, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase));

    public static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime)
            || underlying == typeof(Uri) || underlying == typeof(Guid);
    }

    private static void BindObject(object target, SettingNode node, SettingPath path, ICollection<string> problems, IReadOnlyCollection<string> subsections)
    {
        var properties = Properties(target.GetType());
        if (!string.IsNullOrEmpty(node.Value))
        {
            var example = properties.Keys.Order(StringComparer.Ordinal).FirstOrDefault() ?? "Name";
            problems.Add($"{path} is {Shown(node.Value)}: expected a section of {path.Noun}s such as {path.Child(example)}, not a value.");
        }

        var children = node.Children(properties.Values.Select(p => p.Name));

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, child) in children)
        {
            if (!seen.Add(key))
            {
                problems.Add($"{path.Child(key)} is given twice (names ignore case).");
            }
            else if (properties.TryGetValue(key, out var property))
            {
                BindProperty(target, property, child, path.Child(property.Name), problems);
            }
            else if (!subsections.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add(Unknown(path, key, [.. properties.Keys, .. subsections]));
            }
        }
    }

    private static void BindProperty(object target, PropertyInfo property, SettingNode node, SettingPath path, ICollection<string> problems)
    {
        var type = property.PropertyType;
        if (IsScalar(type))
        {
            if (BindScalar(type, node, path, problems, out var value))
            {
                property.SetValue(target, value);
            }
        }
        else if (ListElementType(type) is { } element)
        {
            if (BindList(element, node, path, problems) is { } list)
            {
                property.SetValue(target, list);
            }
        }
        else if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is not null)
        {
            var instance = property.GetValue(target) ?? Activator.CreateInstance(type)!;
            BindObject(instance, node, path, problems, []);
            property.SetValue(target, instance);
        }
        else
        {
            throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name} ({type.Name}) cannot be bound from settings.");
        }
    }

    /// <summary>False when the setting is absent or does not convert (the problem is recorded); the default stays.</summary>
    private static bool BindScalar(Type type, SettingNode node, SettingPath path, ICollection<string> problems, out object? value)
    {
        value = null;
        if (node.HasChildren)
        {
            var below = node.Children().Select(c => path.Child(c.Key).Text).First();
            problems.Add($"{path} must be a single value ({Expected(type)}), but has {path.Noun}s below it, such as {below}.");
            return false;
        }

        if (node.Value is not { } text)
        {
            return false;
        }

        if (TryConvert(type, text, out value))
        {
            return true;
        }

        problems.Add(Describe(path, text, type));
        return false;
    }

    /// <summary>The entries 0, 1, 2, … each bound into a new element; null when the setting is absent or a placeholder.</summary>
    private static System.Collections.IList? BindList(Type element, SettingNode node, SettingPath path, ICollection<string> problems)
    {
        if (!string.IsNullOrEmpty(node.Value))
        {
            problems.Add($"{path} is {Shown(node.Value)}: expected a list, numbered from 0 ({path.Entry(0)}, {path.Entry(1)}, …), not a value.");
        }

        var children = node.Children();
        if (children.Count == 0)
        {
            return null;
        }

        var entries = new SortedDictionary<int, SettingNode>();
        foreach (var (key, child) in children)
        {
            if (!IsIndex(key, out var index))
            {
                problems.Add($"{path.Child(key)} is not an entry of the list {path}: entries are numbered 0, 1, 2, … (did you mean {path.Entry(0).Child(key)}?).");
            }
            else if (!entries.TryAdd(index, child))
            {
                problems.Add($"{path.Entry(index)} is given twice.");
            }
        }

        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        var expected = 0;
        foreach (var (index, child) in entries)
        {
            if (index != expected)
            {
                problems.Add($"{path.Entry(expected)} is missing: the entries of {path} are numbered from 0 without gaps, and {path.Entry(index)} comes after {(expected == 0 ? "nothing" : path.Entry(expected - 1).Text)}.");
                expected = index;
            }

            expected++;
            list.Add(BindElement(element, child, path.Entry(index), problems));
        }

        return list;
    }

    private static object? BindElement(Type element, SettingNode node, SettingPath path, ICollection<string> problems)
    {
        if (IsScalar(element))
        {
            return BindScalar(element, node, path, problems, out var value) ? value : null;
        }

        var instance = Activator.CreateInstance(element)
            ?? throw new NotSupportedException($"List entries of type {element.Name} cannot be bound from settings.");
        BindObject(instance, node, path, problems, []);
        return instance;
    }

    private static Type? ListElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;

    /// <summary><c>0</c>, <c>1</c>, <c>12</c>: no sign, no leading zero, no spaces.</summary>
    private static bool IsIndex(string key, out int index) =>
        int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index.ToString(CultureInfo.InvariantCulture) == key;

    /// <summary>
    /// Converts as the configuration binder does (invariant culture; an empty value is "not set" for anything but a
    /// string or a non-nullable value), except that an enum takes only one of its names, never a number.
    /// </summary>
    internal static bool TryConvert(Type type, string text, out object? value)
    {
        value = null;
        var nullable = Nullable.GetUnderlyingType(type);
        var underlying = nullable ?? type;
        if (underlying == typeof(string))
        {
            value = text;
            return true;
        }

        if (text.Length == 0 && (nullable is not null || !type.IsValueType))
        {
            return true;
        }

        if (underlying.IsEnum)
        {
            var name = Enum.GetNames(underlying).FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
            value = name is null ? null : Enum.Parse(underlying, name);
            return name is not null;
        }

        try
        {
            value = TypeDescriptor.GetConverter(underlying).ConvertFromInvariantString(text);
            return value is not null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException or UriFormatException)
        {
            return false;
        }
    }

    /// <summary>The failure without echoing long values (a mistyped value could be a secret pasted into the wrong setting).</summary>
    internal static string Describe(SettingPath path, string value, Type type) => $"{path} is {Shown(value)}: {Expected(type)}.";

    private static string Expected(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            { IsEnum: true } => $"expected one of {string.Join(", ", Enum.GetNames(underlying))}",
            _ when underlying == typeof(TimeSpan) => "expected a duration such as 00:05:00 (hh:mm:ss) or 1.00:00:00 (days)",
            _ when underlying == typeof(bool) => "expected true or false",
            _ when underlying == typeof(Uri) => "expected a URL",
            _ when underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime) => "expected a date and time such as 2026-12-31T00:00:00Z",
            _ when underlying.IsPrimitive || underlying == typeof(decimal) => $"expected a number ({underlying.Name})",
            _ => $"expected a value of type {underlying.Name}",
        };
    }

    private static string Unknown(SettingPath path, string key, IReadOnlyCollection<string> known)
    {
        var where = path.Child(Shown(key, quoted: false));
        return ClosestName.For(key, known) is { } meant
            ? $"{where} is not a known {path.Noun}; did you mean {meant}?"
            : $"{where} is not a known {path.Noun}; the {path.Noun}s of {path} are {string.Join(", ", known.Order(StringComparer.Ordinal))}.";
    }

    private static string Shown(string value, bool quoted = true)
    {
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        return quoted ? $"'{shown}'" : shown;
    }
}
