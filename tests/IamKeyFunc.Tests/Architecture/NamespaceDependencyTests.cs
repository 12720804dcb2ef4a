using System.Reflection;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting;
using IamKeyFunc.Tests.Infra;

namespace IamKeyFunc.Tests.Architecture;

/// <summary>
/// The namespaces of <c>src/</c> form a layered graph: no namespace reaches back to one that depends on it. A file of
/// namespace N depends on namespace M when it names a type declared only in M that it can see (M is imported with
/// <c>using</c>, is an enclosing namespace of N, or is written out in full).
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string From, string To), string> Reasons = new();

    public static TheoryData<string> Projects => new() { "IamKeyFunc.Reporting", "IamKeyFunc.AwsEmulator", "IamKeyFunc.Cli", "IamKeyFunc" };

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

    private static Dictionary<string, HashSet<string>> DependencyGraph(string project)
    {
        var assembly = project switch
        {
            "IamKeyFunc.Reporting" => typeof(ServiceCollectionExtensions).Assembly,
            "IamKeyFunc.AwsEmulator" => typeof(global::IamKeyFunc.AwsEmulator.Hosting.AwsEmulatorServer).Assembly,
            "IamKeyFunc.Cli" => typeof(global::IamKeyFunc.Cli.IamKeysCommand).Assembly,
            _ => typeof(global::IamKeyFunc.Functions.RefreshReport).Assembly,
        };

        // Type name → its namespace, for the names declared in exactly one namespace of the project.
        var declared = assembly.GetTypes()
            .Where(t => !t.IsNested && t.Namespace is not null && !t.Name.StartsWith('<') && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
            .GroupBy(t => t.Name.Split('`')[0])
            .Where(g => g.Select(t => t.Namespace).Distinct().Count() == 1)
            .ToDictionary(g => g.Key, g => g.First().Namespace!);

        var graph = declared.Values.Distinct().ToDictionary(n => n, _ => new HashSet<string>());
        foreach (var file in Directory.EnumerateFiles(InfraFiles.PathOf($"src/{project}"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            if (FileNamespace().Match(text) is not { Success: true } match)
            {
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

        return graph;
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
