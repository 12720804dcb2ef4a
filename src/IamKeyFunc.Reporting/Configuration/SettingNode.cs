using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// One node of a settings tree, as <see cref="StrictBinder"/> reads it: a value, children, or (a placeholder such as
/// the sample's <c>IamKey__Policies=""</c>) an empty value and no children. Either a configuration section (app
/// settings, environment, JSON settings files) or a JSON document (the policy file).
/// </summary>
internal abstract class SettingNode
{
    /// <summary>The value; null for a section that has only children, or for a setting that is absent.</summary>
    public abstract string? Value { get; }

    /// <summary>The children, each read once (listing a configuration section's children scans every key).</summary>
    public abstract IReadOnlyList<(string Key, SettingNode Node)> Children();

    /// <summary>Whether there are keys below this one (a single value must have none).</summary>
    public abstract bool HasChildren { get; }

    /// <summary>
    /// A configuration section. With the configuration's root, listing the children also tells each child whether it has
    /// keys below it, from the same scan, so the binder need not list the children of every single value (each listing
    /// scans every key of every provider: with thousands of policies that is what made start-up quadratic).
    /// </summary>
    public static SettingNode Of(IConfigurationSection section, IConfigurationRoot? root) => new ConfigurationNode(section, root, null);

    /// <summary>
    /// A JSON document as settings: objects are sections, arrays are lists (<c>0</c>, <c>1</c>, …), and every scalar is
    /// its text (<c>7</c>, <c>true</c>; <c>null</c> is an empty value), as the JSON configuration provider reads them.
    /// </summary>
    public static SettingNode Of(JsonElement element) => new JsonNode(element);

    private sealed class ConfigurationNode(IConfigurationSection section, IConfigurationRoot? root, bool? hasChildren) : SettingNode
    {
        private bool? _hasChildren = hasChildren;

        public override string? Value => section.Value;

        public override bool HasChildren => _hasChildren ??= section.GetChildren().Any();

        public override IReadOnlyList<(string Key, SettingNode Node)> Children()
        {
            if (root is null)
            {
                return [.. section.GetChildren().Select(child => (child.Key, (SettingNode)new ConfigurationNode(child, null, null)))];
            }

            // What ConfigurationRoot.GetChildren does, without merging the providers first: a provider lists one segment
            // per key below the section, so a child listed twice by one provider, or listed without a value of its own,
            // has keys below it.
            var children = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            foreach (var provider in root.Providers)
            {
                foreach (var segment in provider.GetChildKeys([], section.Path).GroupBy(k => k, StringComparer.OrdinalIgnoreCase))
                {
                    var below = segment.Count() > 1 || !provider.TryGet(ConfigurationPath.Combine(section.Path, segment.Key), out _);
                    children[segment.Key] = below || children.GetValueOrDefault(segment.Key);
                }
            }

            return [.. children.Keys.Order(ConfigurationKeyComparer.Instance).Select(key =>
                (key, (SettingNode)new ConfigurationNode(section.GetSection(key), root, children[key])))];
        }
    }

    private sealed class JsonNode(JsonElement element) : SettingNode
    {
        public override string? Value => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "",
            JsonValueKind.Object when !element.EnumerateObject().Any() => "",
            JsonValueKind.Array when element.GetArrayLength() == 0 => "",
            _ => null,
        };

        public override bool HasChildren => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Any(),
            JsonValueKind.Array => element.GetArrayLength() > 0,
            _ => false,
        };

        public override IReadOnlyList<(string Key, SettingNode Node)> Children() => element.ValueKind switch
        {
            JsonValueKind.Object => [.. element.EnumerateObject().Select(p => (p.Name, (SettingNode)new JsonNode(p.Value)))],
            JsonValueKind.Array => [.. element.EnumerateArray().Select((e, i) => (i.ToString(CultureInfo.InvariantCulture), (SettingNode)new JsonNode(e)))],
            _ => [],
        };
    }
}

/// <summary>
/// Where a setting is, as its messages name it: <c>IamKey:Policies:2:UserName</c> in the settings, or
/// <c>IamKey:PolicyFile (policies.json) Policies[2].UserName</c> in a document.
/// </summary>
internal sealed record SettingPath(string Text, bool InDocument, bool IsRoot)
{
    /// <summary>A configuration section by its path, e.g. <c>IamKey:Aws</c>.</summary>
    public static SettingPath Section(string path) => new(path, InDocument: false, IsRoot: false);

    /// <summary>The top of a document, named by <paramref name="description"/> (<c>IamKey:PolicyFile (policies.json)</c>).</summary>
    public static SettingPath Document(string description) => new(description, InDocument: true, IsRoot: true);

    /// <summary>What its keys are called in messages.</summary>
    public string Noun => InDocument ? "field" : "setting";

    public SettingPath Child(string key) => InDocument
        ? new SettingPath(IsRoot ? $"{Text} {key}" : $"{Text}.{key}", true, false)
        : new SettingPath($"{Text}:{key}", false, false);

    public SettingPath Entry(int index) => InDocument
        ? new SettingPath($"{Text}[{index.ToString(CultureInfo.InvariantCulture)}]", true, false)
        : Child(index.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => Text;
}
