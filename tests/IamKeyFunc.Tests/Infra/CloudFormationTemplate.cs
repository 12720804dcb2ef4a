using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// A CloudFormation YAML template as JSON nodes, with the short-form intrinsic tags expanded the way CloudFormation
/// reads them (<c>!Sub x</c> is <c>{"Fn::Sub": x}</c>, <c>!Ref x</c> is <c>{"Ref": x}</c>, <c>!GetAtt A.B</c> is
/// <c>{"Fn::GetAtt": ["A", "B"]}</c>).
/// </summary>
internal sealed class CloudFormationTemplate
{
    private CloudFormationTemplate(string path, JsonObject root)
    {
        Path = path;
        Root = root;
    }

    public string Path { get; }

    public JsonObject Root { get; }

    public JsonObject Parameters => Root["Parameters"]?.AsObject() ?? [];

    public JsonObject Resources => Root["Resources"]?.AsObject() ?? throw new InvalidDataException($"{Path} has no Resources.");

    public JsonObject Conditions => Root["Conditions"]?.AsObject() ?? [];

    public static CloudFormationTemplate Load(string relativePath) => Parse(relativePath, InfraFiles.ReadText(relativePath));

    /// <summary>A template from its YAML text; <paramref name="path"/> only names it in messages.</summary>
    public static CloudFormationTemplate Parse(string path, string yamlText)
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(yamlText))
        {
            yaml.Load(reader);
        }

        var root = ToJson(yaml.Documents.Single().RootNode) as JsonObject
            ?? throw new InvalidDataException($"{path} is not a YAML mapping.");
        return new CloudFormationTemplate(path, root);
    }

    /// <summary>The resources of one type, by logical ID.</summary>
    public IEnumerable<(string LogicalId, JsonObject Resource)> ResourcesOfType(string type) =>
        Resources.Where(r => (string?)r.Value?["Type"] == type).Select(r => (r.Key, r.Value!.AsObject()));

    /// <summary>The default value of a parameter.</summary>
    public string? ParameterDefault(string name) => (string?)Parameters[name]?["Default"];

    /// <summary>Whether a node is an intrinsic function call (<c>{"Ref": …}</c> or <c>{"Fn::…": …}</c>).</summary>
    public static bool IsIntrinsic(JsonNode? node) =>
        node is JsonObject { Count: 1 } o && o.Single().Key is var key && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal));

    private static JsonNode? ToJson(YamlNode node)
    {
        JsonNode? value = node switch
        {
            YamlScalarNode scalar => JsonValue.Create(scalar.Value),
            YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
            YamlMappingNode mapping => ToObject(mapping),
            _ => throw new NotSupportedException($"YAML node {node.GetType().Name} at {node.Start}."),
        };

        if (node.Tag.IsEmpty || !node.Tag.Value.StartsWith('!') || node.Tag.Value.StartsWith("!!", StringComparison.Ordinal))
        {
            return value;
        }

        var function = node.Tag.Value[1..];
        return function switch
        {
            "Ref" => new JsonObject { ["Ref"] = value },
            "GetAtt" when value is JsonValue v && v.GetValue<string>().Split('.', 2) is [var resource, var attribute] =>
                new JsonObject { ["Fn::GetAtt"] = new JsonArray(resource, attribute) },
            _ => new JsonObject { [$"Fn::{function}"] = value },
        };
    }

    private static JsonObject ToObject(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, child) in mapping.Children)
        {
            result.Add(((YamlScalarNode)key).Value!, ToJson(child));
        }

        return result;
    }
}
