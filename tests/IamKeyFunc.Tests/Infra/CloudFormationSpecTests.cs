using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// Validates the CloudFormation templates against the CloudFormation resource specification: resource types, property
/// names and nesting, required properties, <c>!GetAtt</c> attributes, and every <c>!Ref</c>, <c>${…}</c> and condition name.
/// By default the specification is the trimmed copy committed under <c>Infra/testdata/cfnspec</c> (the resource types the
/// templates use, from npm <c>@aws-cdk/cfnspec</c>, Apache-2.0), so a fresh clone needs only the .NET SDK.
/// <c>.ci/infra-checks</c> proves that copy is the trim of the pinned full specification and runs these tests again with
/// <c>IAMKEY_CFNSPEC</c> pointing at the full one.
/// </summary>
public sealed partial class CloudFormationSpecTests
{
    private const string SpecEnvironmentVariable = "IAMKEY_CFNSPEC";
    private const string TrimmedSpecRelativePath = "tests/IamKeyFunc.Tests/Infra/testdata/cfnspec/specification.json";

    private static readonly Lazy<JsonObject> Spec = new(LoadSpec);

    private static readonly HashSet<string> ResourceAttributes =
        ["Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy"];

    public static TheoryData<string> Templates => new() { "infra/aws/central-account.yaml", "infra/aws/member-account.yaml" };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_ShouldUseOnlyResourceTypesAndPropertiesOfTheSpecification(string path)
    {
        // Arrange
        var template = CloudFormationTemplate.Load(path);

        // Act
        var errors = SpecificationErrors(template);

        // Assert
        Assert.True(errors.Count == 0, $"{path} does not match the CloudFormation specification:\n" + string.Join("\n", errors) +
            "\n(A new resource type needs the trimmed copy regenerated: see Infra/testdata/cfnspec/README.md.)");
    }

    [Fact]
    public void SpecificationCheck_ShouldReportAMisspelledPropertyAMissingRequiredOneAndAnUnknownType()
    {
        // Arrange: the checks above must be able to fail.
        var template = CloudFormationTemplate.Parse("inline.yaml", """
            Resources:
              Provider:
                Type: AWS::IAM::OIDCProvider
                Properties:
                  Url: https://sts.windows.net/tenant/
                  ClientIdLists: [api://x]
              Role:
                Type: AWS::IAM::Role
                Properties:
                  Policies:
                    - PolicyName: p
              Bucket:
                Type: AWS::IAM::Rolle
            """);

        // Act
        var errors = SpecificationErrors(template);

        // Assert
        Assert.Contains("Provider: ClientIdLists is not a property", errors);
        Assert.Contains("Role: required property AssumeRolePolicyDocument is missing", errors);
        Assert.Contains("Role.Policies[0]: required property PolicyDocument is missing", errors);
        Assert.Contains("Bucket: AWS::IAM::Rolle is not a resource type of the specification", errors);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_ShouldReferenceOnlyDeclaredNamesAndExistingAttributes(string path)
    {
        // Arrange
        var template = CloudFormationTemplate.Load(path);
        var names = template.Parameters.Select(p => p.Key).Concat(template.Resources.Select(r => r.Key)).ToHashSet();
        var errors = new List<string>();

        // Act
        foreach (var node in InfraFiles.Descendants(template.Root).OfType<JsonObject>().Where(CloudFormationTemplate.IsIntrinsic))
        {
            var (function, argument) = node.Single();
            switch (function)
            {
                case "Ref" when !IsKnownName((string?)argument, names):
                    errors.Add($"!Ref {argument} names nothing");
                    break;
                case "Fn::GetAtt":
                    var resource = (string?)argument?[0] ?? "";
                    var attribute = (string?)argument?[1] ?? "";
                    var type = (string?)template.Resources[resource]?["Type"] ?? "";
                    if (Spec.Value["ResourceTypes"]?[type]?["Attributes"]?[attribute] is null)
                    {
                        errors.Add($"!GetAtt {resource}.{attribute}: {type} has no such attribute");
                    }

                    break;
                case "Fn::Sub":
                    var (text, variables) = argument is JsonArray pair
                        ? ((string?)pair[0] ?? "", pair[1]?.AsObject().Select(v => v.Key).ToHashSet() ?? [])
                        : ((string?)argument ?? "", new HashSet<string>());
                    errors.AddRange(SubstitutionRegex().Matches(text)
                        .Select(m => m.Groups[1].Value)
                        .Where(n => !variables.Contains(n) && !IsKnownName(n.Split('.')[0], names))
                        .Select(n => $"!Sub ${{{n}}} names nothing"));
                    break;
                case "Fn::If" when argument is JsonArray { Count: 3 } branches && template.Conditions[(string?)branches[0] ?? ""] is null:
                    errors.Add($"!If {branches[0]}: no such condition");
                    break;
            }
        }

        errors.AddRange(template.Resources
            .Select(r => (string?)r.Value?["Condition"])
            .OfType<string>()
            .Where(c => template.Conditions[c] is null)
            .Select(c => $"Condition {c} is not declared"));

        // Assert
        Assert.True(errors.Count == 0, $"{path}:\n" + string.Join("\n", errors));
    }

    [Fact]
    public void Specification_ShouldKnowTheOidcProviderResource()
    {
        // The templates need a current specification; an old one would not list the provider at all.
        Assert.NotNull(Spec.Value["ResourceTypes"]?["AWS::IAM::OIDCProvider"]?["Properties"]?["ClientIdList"]);
    }

    private static List<string> SpecificationErrors(CloudFormationTemplate template)
    {
        var errors = new List<string>();
        foreach (var (logicalId, node) in template.Resources)
        {
            var resource = node!.AsObject();
            var type = (string?)resource["Type"] ?? "";
            errors.AddRange(resource.Select(p => p.Key).Where(k => !ResourceAttributes.Contains(k)).Select(k => $"{logicalId}: unknown attribute {k}"));
            if (Spec.Value["ResourceTypes"]?[type] is not JsonObject resourceSpec)
            {
                errors.Add($"{logicalId}: {type} is not a resource type of the specification");
                continue;
            }

            ValidateProperties(logicalId, type, resource["Properties"]?.AsObject() ?? [], resourceSpec, errors);
        }

        return errors;
    }

    private static bool IsKnownName(string? name, HashSet<string> names) =>
        name is not null && (names.Contains(name) || name.StartsWith("AWS::", StringComparison.Ordinal));

    private static void ValidateProperties(string at, string resourceType, JsonObject properties, JsonObject typeSpec, List<string> errors)
    {
        var propertySpecs = typeSpec["Properties"]?.AsObject() ?? [];
        foreach (var (name, value) in properties)
        {
            if (propertySpecs[name] is not JsonObject propertySpec)
            {
                errors.Add($"{at}: {name} is not a property");
                continue;
            }

            ValidateValue($"{at}.{name}", resourceType, value, propertySpec, errors);
        }

        errors.AddRange(propertySpecs
            .Where(p => (bool?)p.Value?["Required"] == true && !properties.ContainsKey(p.Key))
            .Select(p => $"{at}: required property {p.Key} is missing"));
    }

    private static void ValidateValue(string at, string resourceType, JsonNode? value, JsonObject propertySpec, List<string> errors)
    {
        if (CloudFormationTemplate.IsIntrinsic(value))
        {
            return; // resolved by CloudFormation at deployment
        }

        var primitive = (string?)propertySpec["PrimitiveType"];
        var type = (string?)propertySpec["Type"];
        if (primitive == "Json")
        {
            if (value is JsonArray)
            {
                errors.Add($"{at}: expected a JSON object or string");
            }
        }
        else if (primitive is not null)
        {
            if (value is not JsonValue)
            {
                errors.Add($"{at}: expected a {primitive}");
            }
        }
        else if (type is "List")
        {
            if (value is not JsonArray items)
            {
                errors.Add($"{at}: expected a list");
                return;
            }

            for (var i = 0; i < items.Count; i++)
            {
                ValidateItem($"{at}[{i}]", resourceType, items[i], propertySpec, errors);
            }
        }
        else if (type is "Map")
        {
            if (value is not JsonObject)
            {
                errors.Add($"{at}: expected a map");
            }
        }
        else if (type is not null)
        {
            ValidateNested(at, resourceType, type, value, errors);
        }
    }

    private static void ValidateItem(string at, string resourceType, JsonNode? item, JsonObject listSpec, List<string> errors)
    {
        if (CloudFormationTemplate.IsIntrinsic(item))
        {
            return;
        }

        if (listSpec["PrimitiveItemType"] is not null)
        {
            if (item is not JsonValue)
            {
                errors.Add($"{at}: expected a {listSpec["PrimitiveItemType"]}");
            }
        }
        else
        {
            ValidateNested(at, resourceType, (string?)listSpec["ItemType"] ?? "", item, errors);
        }
    }

    private static void ValidateNested(string at, string resourceType, string propertyType, JsonNode? value, List<string> errors)
    {
        var types = Spec.Value["PropertyTypes"]!;
        if ((types[$"{resourceType}.{propertyType}"] ?? types[propertyType]) is not JsonObject nestedSpec)
        {
            errors.Add($"{at}: property type {propertyType} is not in the specification");
        }
        else if (value is not JsonObject nested)
        {
            errors.Add($"{at}: expected a {propertyType} object");
        }
        else
        {
            ValidateProperties(at, resourceType, nested, nestedSpec, errors);
        }
    }

    private static JsonObject LoadSpec()
    {
        var path = Environment.GetEnvironmentVariable(SpecEnvironmentVariable) is { Length: > 0 } configured
            ? configured
            : InfraFiles.PathOf(TrimmedSpecRelativePath);
        return File.Exists(path)
            ? JsonNode.Parse(File.ReadAllText(path))!.AsObject()
            : throw new FileNotFoundException($"No CloudFormation resource specification at {path} ({SpecEnvironmentVariable} or the committed trimmed copy).");
    }

    [GeneratedRegex(@"\$\{([^!}][^}]*)\}")]
    private static partial Regex SubstitutionRegex();
}
