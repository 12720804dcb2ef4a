using System.Text.Json.Nodes;

namespace IamKeyFunc.Tests.Infra;

/// <summary>The templates and queries under <c>infra/</c>, read from the repository the tests were built from.</summary>
internal static class InfraFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private static readonly Lazy<JsonObject> CompiledMain = new(() => ReadJson("infra/azure/main.json"));

    public static string RepositoryRoot => Root.Value;

    /// <summary>The ARM JSON that <c>bicep build</c> makes of <c>infra/azure/main.bicep</c> (checked in; CI verifies it is current).</summary>
    public static JsonObject MainTemplate => CompiledMain.Value;

    public static string PathOf(string relativePath) => Path.Combine(RepositoryRoot, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public static string ReadText(string relativePath) => File.ReadAllText(PathOf(relativePath));

    public static JsonObject ReadJson(string relativePath) =>
        JsonNode.Parse(ReadText(relativePath))?.AsObject() ?? throw new InvalidDataException($"{relativePath} is empty.");

    public static JsonArray ReadJsonArray(string relativePath) =>
        JsonNode.Parse(ReadText(relativePath))?.AsArray() ?? throw new InvalidDataException($"{relativePath} is empty.");

    /// <summary>The template of a module deployment in <c>main.json</c>, by the module's deployment name.</summary>
    public static JsonObject ModuleTemplate(string deploymentName) =>
        Descendants(MainTemplate)
            .OfType<JsonObject>()
            .Where(o => (string?)o["type"] == "Microsoft.Resources/deployments" && (string?)o["name"] == deploymentName)
            .Select(o => o["properties"]?["template"]?.AsObject())
            .OfType<JsonObject>()
            .SingleOrDefault()
        ?? throw new InvalidDataException($"main.json has no module deployment named '{deploymentName}'.");

    /// <summary>The node and every node below it.</summary>
    public static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IamKeyFunc.sln")) && Directory.Exists(Path.Combine(dir.FullName, "infra")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No repository root (IamKeyFunc.sln with infra/) above {AppContext.BaseDirectory}.");
    }
}
