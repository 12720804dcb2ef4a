using System.Reflection;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting;
using IamKeyFunc.Tests.Infra;

namespace IamKeyFunc.Tests.Architecture;

/// <summary>
/// The namespaces of <c>src/</c> form the layered graph that docs/architecture.md ("Layers") lists for each project,
/// bottom layer first: a namespace depends only on namespaces of its own layer or below, and no namespace reaches back
/// to one that depends on it. A file of namespace N depends on namespace M when it names a type declared only in M that
/// it can see (M is imported with <c>using</c>, is an enclosing namespace of N, or is written out in full). Nothing is
/// skipped silently: a file without a file-scoped namespace, a type name declared in two namespaces (its uses could
/// not be told apart) and a namespace the document does not list each fail the test.
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    private const string ArchitectureDocument = "docs/architecture.md";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string From, string To), string> Reasons = new();

    public static TheoryData<string> Projects => new() { "IamKeyFunc.Reporting", "IamKeyFunc.AwsEmulator", "IamKeyFunc.Cli", "IamKeyFunc" };

    [Theory]
    [MemberData(nameof(Projects))]
    public void Namespaces_ShouldDependOnlyOnTheirOwnLayerOrBelow_AsTheArchitectureDocumentLists(string project)
    {
        var graph = DependencyGraph(project);
        var layers = DocumentedLayers(project);

        var undocumented = graph.Keys.Concat(graph.Values.SelectMany(v => v)).Distinct().Where(n => !layers.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        var absent = layers.Keys.Where(n => !graph.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        var upward = LayerViolations(graph, layers);

        Assert.True(undocumented.Count == 0, $"Namespaces of src/{project} that {ArchitectureDocument} (\"Layers\") does not list: {string.Join(", ", undocumented)}");
        Assert.True(absent.Count == 0, $"{ArchitectureDocument} (\"Layers\") lists namespaces that src/{project} does not have: {string.Join(", ", absent)}");
        Assert.True(upward.Count == 0, $"Dependencies on a higher layer in src/{project} (see {ArchitectureDocument}, \"Layers\"): " +
            string.Join("; ", upward.Select(edge => $"{edge.From} (layer {layers[edge.From]}) -> {edge.To} (layer {layers[edge.To]}): {Reasons[edge]}")));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void EveryFileAndType_ShouldBeSeen(string project)
    {
        var (_, skippedFiles, ambiguousTypes) = Read(project);

        Assert.True(skippedFiles.Count == 0, $"Files of src/{project} without a file-scoped namespace (the dependency checks cannot read them): {string.Join(", ", skippedFiles)}");
        Assert.True(ambiguousTypes.Count == 0, $"Type names of src/{project} declared in more than one namespace (their uses cannot be told apart): {string.Join(", ", ambiguousTypes)}");
    }

    [Fact]
    public void LayerViolations_ShouldNameADependencyOnAHigherLayer_AndAllowTheSameLayer()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Low"] = ["Low.Peer", "High"],
            ["Low.Peer"] = ["Low"],
            ["High"] = ["Low"],
        };
        var layers = new Dictionary<string, int> { ["Low"] = 1, ["Low.Peer"] = 1, ["High"] = 2 };

        Assert.Equal([("Low", "High")], LayerViolations(graph, layers));
    }

    [Fact]
    public void DocumentedLayers_ShouldReadTheListUnderTheMarker()
    {
        var layers = DocumentedLayers("IamKeyFunc.Reporting");

        Assert.Equal(1, layers["IamKeyFunc.Reporting.Errors"]);
        Assert.True(layers["IamKeyFunc.Reporting.Aws.Pipeline"] < layers["IamKeyFunc.Reporting.Aws.Iam"]);
        Assert.True(layers["IamKeyFunc.Reporting.Runs"] < layers["IamKeyFunc.Reporting"]);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Namespaces_ShouldFormNoCycle(string project)
    {
        var graph = DependencyGraph(project);

        var cycle = FindCycle(graph);

        Assert.True(cycle is null, $"Namespace cycle in src/{project}: {string.Join(" -> ", cycle ?? [])}; because " +
            string.Join("; ", (cycle ?? []).Zip((cycle ?? []).Skip(1)).Select(edge => $"{edge.First} names {Reasons[(edge.First, edge.Second)]}")));
    }

    [Fact]
    public void Graph_ShouldSeeImplicitParentNamespaceReferences()
    {
        // The test would be blind if it only read using directives: Aws.Federation names Aws.Pipeline types with a using,
        // and Runs names Records types; the composition root sees every part.
        var graph = DependencyGraph("IamKeyFunc.Reporting");

        Assert.Contains("IamKeyFunc.Reporting.Aws.Pipeline", graph["IamKeyFunc.Reporting.Aws.Federation"]);
        Assert.Contains("IamKeyFunc.Reporting.Records", graph["IamKeyFunc.Reporting.Runs"]);
        Assert.Contains("IamKeyFunc.Reporting.Runs", graph["IamKeyFunc.Reporting"]);
    }

    [Fact]
    public void FindCycle_ShouldReportACycle_WhenOneExists()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        Assert.Equal(["A", "B", "C", "A"], FindCycle(graph));
    }

    private static Dictionary<string, HashSet<string>> DependencyGraph(string project) => Read(project).Graph;

    /// <summary>The dependencies from a lower layer to a higher one (a namespace's own layer and those below are allowed).</summary>
    private static List<(string From, string To)> LayerViolations(Dictionary<string, HashSet<string>> graph, IReadOnlyDictionary<string, int> layers) =>
    [
        .. graph
            .SelectMany(node => node.Value.Select(to => (From: node.Key, To: to)))
            .Where(edge => layers.TryGetValue(edge.From, out var from) && layers.TryGetValue(edge.To, out var to) && to > from)
            .OrderBy(edge => edge.From, StringComparer.Ordinal).ThenBy(edge => edge.To, StringComparer.Ordinal),
    ];

    /// <summary>
    /// The numbered list after <c>&lt;!-- layers: {project} --&gt;</c> in the architecture document: item N (the bottom is
    /// 1) names its namespaces in backticks before its first colon, relative to the project's root namespace or in full.
    /// </summary>
    private static Dictionary<string, int> DocumentedLayers(string project)
    {
        var lines = InfraFiles.ReadText(ArchitectureDocument).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var marker = lines.FindIndex(l => l.Trim() == $"<!-- layers: {project} -->");
        Assert.True(marker >= 0, $"{ArchitectureDocument} has no '<!-- layers: {project} -->' list.");

        var layers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(marker + 1).TakeWhile(l => l.Trim().Length > 0))
        {
            var item = LayerItem().Match(line);
            Assert.True(item.Success, $"{ArchitectureDocument}, layers of {project}: '{line}' is not a numbered item.");
            var layer = int.Parse(item.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var name in Backticked().Matches(item.Groups["names"].Value).Select(m => m.Groups[1].Value))
            {
                var full = name == project || name.StartsWith(project + ".", StringComparison.Ordinal) ? name : $"{project}.{name}";
                Assert.True(layers.TryAdd(full, layer), $"{ArchitectureDocument}, layers of {project}: {name} is listed twice.");
            }
        }

        return layers;
    }

    private static (Dictionary<string, HashSet<string>> Graph, List<string> SkippedFiles, List<string> AmbiguousTypes) Read(string project)
    {
        var assembly = project switch
        {
            "IamKeyFunc.Reporting" => typeof(ServiceCollectionExtensions).Assembly,
            "IamKeyFunc.AwsEmulator" => typeof(global::IamKeyFunc.AwsEmulator.Hosting.AwsEmulatorServer).Assembly,
            "IamKeyFunc.Cli" => typeof(global::IamKeyFunc.Cli.IamKeysCommand).Assembly,
            _ => typeof(global::IamKeyFunc.Functions.RefreshReport).Assembly,
        };

        // Type name → its namespace, for the names declared in exactly one namespace of the project (the others are reported).
        var byName = assembly.GetTypes()
            .Where(t => !t.IsNested && t.Namespace is not null && !t.Name.StartsWith('<') && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
            .GroupBy(t => t.Name.Split('`')[0])
            .ToList();
        var declared = byName.Where(g => g.Select(t => t.Namespace).Distinct().Count() == 1).ToDictionary(g => g.Key, g => g.First().Namespace!);
        var ambiguous = byName.Where(g => g.Select(t => t.Namespace).Distinct().Count() > 1)
            .Select(g => $"{g.Key} ({string.Join(", ", g.Select(t => t.Namespace).Distinct())})").Order(StringComparer.Ordinal).ToList();
        var skipped = new List<string>();

        var graph = declared.Values.Distinct().ToDictionary(n => n, _ => new HashSet<string>());
        var root = InfraFiles.PathOf($"src/{project}");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin")))
        {
            var text = File.ReadAllText(file);
            if (FileNamespace().Match(text) is not { Success: true } match)
            {
                skipped.Add(Path.GetRelativePath(root, file));
                continue;
            }

            var own = match.Groups["ns"].Value;
            var visible = Using().Matches(text).Select(m => m.Groups["ns"].Value).ToHashSet(StringComparer.Ordinal);
            var code = Comments().Replace(StringLiterals().Replace(text, "\"\""), " ");
            foreach (var name in Identifier().Matches(code).Select(m => m.Value).Distinct())
            {
                if (declared.TryGetValue(name, out var target) && target != own
                    && (visible.Contains(target) || own.StartsWith(target + ".", StringComparison.Ordinal) || code.Contains(target + "." + name, StringComparison.Ordinal)))
                {
                    graph.TryAdd(own, []);
                    graph[own].Add(target);
                    Reasons.TryAdd((own, target), $"{name} in {Path.GetFileName(file)}");
                }
            }
        }

        return (graph, skipped, ambiguous);
    }

    /// <summary>A path <c>A -> ... -> A</c>, or null when the graph is acyclic (depth-first search, in name order).</summary>
    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path[path.IndexOf(next)..], next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Where(n => state.GetValueOrDefault(n) == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }

    [GeneratedRegex(@"^\s*(?<n>\d+)\.\s+(?<names>[^:]*)")]
    private static partial Regex LayerItem();

    [GeneratedRegex(@"`([\w.]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^namespace\s+(?<ns>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^using\s+(static\s+)?(?<ns>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Using();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiterals();

    /// <summary>A capitalised name that is not a member access (<c>snapshot.RunId</c> names a property, not the type).</summary>
    [GeneratedRegex(@"(?<![.\w])[A-Z]\w*\b")]
    private static partial Regex Identifier();
}
