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

    /// <summary>
    /// The children, when <paramref name="known"/> are the names the reader expects here: a node that knows how many keys
    /// lie below it can look those names up directly, and needs to list its children only when some key is left over.
    /// </summary>
    public virtual IReadOnlyList<(string Key, SettingNode Node)> Children(IEnumerable<string> known) => Children();

    /// <summary>Whether there are keys below this one (a single value must have none).</summary>
    public abstract bool HasChildren { get; }

    /// <summary>How many times this tree listed a node's children (each listing scans every key): what the tests hold the binder's cost to.</summary>
    internal virtual int Listings => 0;

    /// <summary>
    /// A configuration section. Listing a section's children scans every key of every provider, so with thousands of
    /// policies listing each entry's children made start-up quadratic. With the configuration's root, one listing of a
    /// section also counts, per provider, the keys below each child; a child can then find its own children by looking
    /// up the names the binder knows (a list entry's fields), and it is listed only when a key is left over, which is
    /// the key that is unknown.
    /// </summary>
    public static SettingNode Of(IConfigurationSection section, IConfigurationRoot? root) =>
        new ConfigurationNode(section, root is not null && root.Providers.All(CountsKeys) ? [.. root.Providers] : null, null, null, new ListingCount());

    /// <summary>A provider lists one child segment per key below the section (the base implementation does; a chained configuration lists each child once).</summary>
    private static bool CountsKeys(IConfigurationProvider provider) =>
        provider.GetType().GetMethod(nameof(IConfigurationProvider.GetChildKeys), [typeof(IEnumerable<string>), typeof(string)])?.DeclaringType == typeof(ConfigurationProvider);

    /// <summary>
    /// A JSON document as settings: objects are sections, arrays are lists (<c>0</c>, <c>1</c>, …), and every scalar is
    /// its text (<c>7</c>, <c>true</c>; <c>null</c> is an empty value), as the JSON configuration provider reads them.
    /// </summary>
    public static SettingNode Of(JsonElement element) => new JsonNode(element);

    private sealed class ListingCount
    {
        public int Value;
    }

    /// <param name="providers">The providers, when each counts its keys (see <see cref="CountsKeys"/>); null to list children plainly.</param>
    /// <param name="keysBelow">Per provider, how many keys lie below this node; null when unknown.</param>
    private sealed class ConfigurationNode(IConfigurationSection section, IConfigurationProvider[]? providers, bool? hasChildren, int[]? keysBelow, ListingCount listings) : SettingNode
    {
        private bool? _hasChildren = hasChildren;

        public override string? Value => section.Value;

        public override bool HasChildren => _hasChildren ??= List().Any();

        internal override int Listings => listings.Value;

        public override IReadOnlyList<(string Key, SettingNode Node)> Children()
        {
            if (providers is null)
            {
                return [.. List().Select(child => (child.Key, (SettingNode)new ConfigurationNode(child, null, null, null, listings)))];
            }

            listings.Value++;

            // What ConfigurationRoot.GetChildren does, without merging the providers first: each provider lists one
            // segment per key below the section, so the count of a segment, less the child's own key, is how many keys
            // lie below that child in that provider.
            var below = new Dictionary<string, int[]>(StringComparer.OrdinalIgnoreCase);
            for (var p = 0; p < providers.Length; p++)
            {
                foreach (var segment in providers[p].GetChildKeys([], section.Path).GroupBy(k => k, StringComparer.OrdinalIgnoreCase))
                {
                    if (!below.TryGetValue(segment.Key, out var counts))
                    {
                        below[segment.Key] = counts = new int[providers.Length];
                    }

                    counts[p] = segment.Count() - (providers[p].TryGet(ConfigurationPath.Combine(section.Path, segment.Key), out _) ? 1 : 0);
                }
            }

            return [.. below.Keys.Order(ConfigurationKeyComparer.Instance).Select(key =>
                (key, (SettingNode)new ConfigurationNode(section.GetSection(key), providers, below[key].Any(c => c > 0), below[key], listings)))];
        }

        public override IReadOnlyList<(string Key, SettingNode Node)> Children(IEnumerable<string> known)
        {
            if (providers is null || keysBelow is null)
            {
                return Children();
            }

            var found = new int[providers.Length];
            var present = new List<string>();
            foreach (var name in known)
            {
                var key = ConfigurationPath.Combine(section.Path, name);
                var here = false;
                for (var p = 0; p < providers.Length; p++)
                {
                    if (providers[p].TryGet(key, out _))
                    {
                        found[p]++;
                        here = true;
                    }
                }

                if (here)
                {
                    present.Add(name);
                }
            }

            // Every key below this node is one of the known names, each a single value: nothing is left to list.
            var leaves = new int[providers.Length];
            return found.AsSpan().SequenceEqual(keysBelow)
                ? [.. present.Select(name => (name, (SettingNode)new ConfigurationNode(section.GetSection(name), providers, false, leaves, listings)))]
                : Children();
        }

        private IEnumerable<IConfigurationSection> List()
        {
            listings.Value++;
            return section.GetChildren();
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
