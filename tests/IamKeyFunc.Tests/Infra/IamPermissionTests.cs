using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Infra;

/// <summary>The IAM permissions in the CloudFormation templates against the calls the code makes and the trust it needs.</summary>
public sealed partial class IamPermissionTests
{
    public static TheoryData<string> RoleTemplates => new() { "infra/aws/central-account.yaml", "infra/aws/member-account.yaml" };

    [Theory]
    [MemberData(nameof(RoleTemplates))]
    public void Role_ShouldGrantExactlyTheIamActionsTheClientCalls(string path)
    {
        // Arrange
        var expected = IamClientOperations().Select(op => $"iam:{op}").Order(StringComparer.Ordinal).ToList();
        var role = SingleRole(CloudFormationTemplate.Load(path));

        // Act
        var granted = PolicyStatements(role)
            .SelectMany(ActionsOf)
            .Where(a => a.StartsWith("iam:", StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        // Assert
        Assert.Equal(expected, granted);
    }

    [Theory]
    [MemberData(nameof(RoleTemplates))]
    public void Role_ShouldGrantNothingButIamReadsAndAssumeRole(string path)
    {
        // Arrange
        var role = SingleRole(CloudFormationTemplate.Load(path));

        // Act
        var statements = PolicyStatements(role).ToList();

        // Assert
        Assert.All(statements, s => Assert.Equal("Allow", (string?)s["Effect"]));
        Assert.All(statements.SelectMany(ActionsOf), a => Assert.True(
            a == "sts:AssumeRole" || (a.StartsWith("iam:", StringComparison.Ordinal) && !a.Contains('*', StringComparison.Ordinal)),
            $"{path} grants {a}"));
    }

    [Theory]
    [MemberData(nameof(RoleTemplates))]
    public void GetAccountAuthorizationDetails_ShouldBeGrantedOnlyWhenEnablePrivilegeScanIsTrue(string path)
    {
        // Arrange
        var template = CloudFormationTemplate.Load(path);

        // Act
        var grants = Policies(SingleRole(template))
            .SelectMany(p => p.Policy["PolicyDocument"]!["Statement"]!.AsArray().SelectMany(s => ActionsOf(s!.AsObject())).Select(a => (p.Condition, Action: a)))
            .ToList();

        // Assert
        Assert.Equal("PrivilegeScan", Assert.Single(grants, g => g.Action == "iam:GetAccountAuthorizationDetails").Condition);
        Assert.All(grants.Where(g => g.Action != "iam:GetAccountAuthorizationDetails"), g => Assert.Null(g.Condition));
        Assert.Equal("false", template.ParameterDefault("EnablePrivilegeScan"));
        var condition = template.Conditions["PrivilegeScan"]!["Fn::Equals"]!.AsArray();
        Assert.Equal("EnablePrivilegeScan", (string?)condition[0]!["Ref"]);
        Assert.Equal("true", (string?)condition[1]);
    }

    [Fact]
    public void ReaderRole_ShouldAssumeOnlyTheMemberAndDiscoveryRoleNames_InTheOrganizationWhenGiven()
    {
        // Arrange
        var template = CloudFormationTemplate.Load("infra/aws/central-account.yaml");

        // Act
        var assume = PolicyStatements(SingleRole(template)).Single(s => ActionsOf(s).Contains("sts:AssumeRole"));
        var condition = assume["Condition"]!["Fn::If"]!.AsArray();

        // Assert
        Assert.Equal(["sts:AssumeRole"], ActionsOf(assume));
        Assert.Equal(
            ["arn:${AWS::Partition}:iam::*:role/${MemberRoleName}", "arn:${AWS::Partition}:iam::*:role/${DiscoveryRoleName}"],
            assume["Resource"]!.AsArray().Select(r => (string?)r!["Fn::Sub"]));
        Assert.Equal("HasOrganization", (string?)condition[0]);
        Assert.Equal("OrganizationId", (string?)condition[1]!["StringEquals"]!["aws:ResourceOrgID"]!["Ref"]);
        Assert.Equal("AWS::NoValue", (string?)condition[2]!["Ref"]);
    }

    [Fact]
    public void MemberRoleName_ShouldBeTheSameInBothTemplatesAndTheAppDefault()
    {
        // Arrange
        var central = CloudFormationTemplate.Load("infra/aws/central-account.yaml");
        var member = CloudFormationTemplate.Load("infra/aws/member-account.yaml");

        // Act / Assert
        Assert.Equal(new AwsOptions().MemberRoleName, central.ParameterDefault("MemberRoleName"));
        Assert.Equal(new AwsOptions().MemberRoleName, member.ParameterDefault("RoleName"));
        Assert.Equal(central.ParameterDefault("RoleName"), member.ParameterDefault("CentralRoleName"));
    }

    [Fact]
    public void ReaderRoleTrust_ShouldPinTheAudienceAndTheManagedIdentityAsSubject()
    {
        // Arrange
        var template = CloudFormationTemplate.Load("infra/aws/central-account.yaml");
        var trust = SingleRole(template)["Properties"]!["AssumeRolePolicyDocument"]!["Fn::If"]!.AsArray();

        // Act: both variants (with and without extra subjects), with the placeholders filled in
        var documents = new[] { trust[1], trust[2] }
            .Select(branch => (string)branch!["Fn::Sub"]![0]!)
            .Select(text => SubstitutionRegex().Replace(text, m => $"<{m.Groups[1].Value}>"))
            .Select(json => JsonNode.Parse(json)!)
            .ToList();

        // Assert
        Assert.All(documents, document =>
        {
            var statement = Assert.Single(document["Statement"]!.AsArray())!;
            Assert.Equal("sts:AssumeRoleWithWebIdentity", (string?)statement["Action"]);
            Assert.Equal("<ProviderArn>", (string?)statement["Principal"]!["Federated"]);
            var conditions = statement["Condition"]!["StringEquals"]!.AsObject();
            Assert.Equal("<AppIdUri>", (string?)conditions["sts.windows.net/<TenantId>/:aud"]);
            var subject = conditions["sts.windows.net/<TenantId>/:sub"]!;
            Assert.Contains("<ManagedIdentityPrincipalId>", subject is JsonArray subjects ? subjects.Select(s => (string?)s) : [(string?)subject]);
        });
        Assert.Equal("https://sts.windows.net/${TenantId}/", (string?)template.Resources["EntraOidcProvider"]!["Properties"]!["Url"]!["Fn::Sub"]);
    }

    [Fact]
    public void MemberRoleTrust_ShouldAllowOnlyTheCentralReaderRole()
    {
        // Arrange
        var role = SingleRole(CloudFormationTemplate.Load("infra/aws/member-account.yaml"));

        // Act
        var statement = Assert.Single(role["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;

        // Assert
        Assert.Equal("sts:AssumeRole", (string?)statement["Action"]);
        Assert.Equal("arn:${AWS::Partition}:iam::${CentralAccountId}:role/${CentralRoleName}", (string?)statement["Principal"]!["AWS"]!["Fn::Sub"]);
        Assert.Null(statement["Condition"]);
    }

    [Theory]
    [MemberData(nameof(RoleTemplates))]
    public void Template_ShouldNotHardCodeAPartition(string path)
    {
        Assert.DoesNotMatch(@"arn:aws(-cn|-us-gov)?:", InfraFiles.ReadText(path));
    }

    /// <summary>
    /// The IAM operations the code can call: <c>IamClient.Operations</c> when the IAM client exposes it; otherwise the
    /// operation names in the IAM client's source, sent as <c>SendAsync("Name", …)</c> or <c>"Action=Name"</c>.
    /// </summary>
    internal static IReadOnlyList<string> IamClientOperations()
    {
        var client = typeof(AwsPartition).Assembly.GetType("IamKeyFunc.Reporting.Aws.IamClient");
        var member = (MemberInfo?)client?.GetProperty("Operations", BindingFlags.Public | BindingFlags.Static)
            ?? client?.GetField("Operations", BindingFlags.Public | BindingFlags.Static);
        var declared = member switch
        {
            PropertyInfo p => p.GetValue(null),
            FieldInfo f => f.GetValue(null),
            _ => null,
        };
        if (declared is IEnumerable operations)
        {
            return [.. operations.Cast<object>().Select(o => o.ToString()!)];
        }

        var awsSource = InfraFiles.PathOf("src/IamKeyFunc.Reporting/Aws");
        var fromSource = Directory.EnumerateFiles(awsSource, "Iam*.cs", SearchOption.AllDirectories)
            .SelectMany(file => ActionLiteralRegex().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.True(fromSource.Count > 0,
            "The IAM client's operations are unknown: expose 'public static IReadOnlyList<string> Operations' on " +
            "IamKeyFunc.Reporting.Aws.IamClient (branch aws-client), or keep sending them as SendAsync(\"Name\", ...).");
        return fromSource;
    }

    private static JsonObject SingleRole(CloudFormationTemplate template) =>
        Assert.Single(template.ResourcesOfType("AWS::IAM::Role")).Resource;

    /// <summary>Every statement of the role's policies, those granted under a condition (<c>!If [Cond, policy, !Ref AWS::NoValue]</c>) included.</summary>
    private static IEnumerable<JsonObject> PolicyStatements(JsonObject role) =>
        Policies(role).SelectMany(p => p.Policy["PolicyDocument"]!["Statement"]!.AsArray()).Select(statement => statement!.AsObject());

    /// <summary>The role's policies, each with the condition it is granted under (null: always).</summary>
    private static IEnumerable<(string? Condition, JsonObject Policy)> Policies(JsonObject role) =>
        role["Properties"]!["Policies"]!.AsArray().Select(policy => policy!["Fn::If"] is JsonArray conditional
            ? ((string?)conditional[0], conditional[1]!.AsObject())
            : ((string?)null, policy.AsObject()));

    private static List<string> ActionsOf(JsonObject statement) => statement["Action"] switch
    {
        JsonArray actions => [.. actions.Select(a => (string)a!)],
        JsonValue action when action.GetValueKind() == JsonValueKind.String => [(string)action!],
        _ => throw new InvalidDataException($"Statement action is neither a string nor a list: {statement}"),
    };

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubstitutionRegex();

    [GeneratedRegex(@"(?:SendAsync\(\s*""|""Action=)([A-Z][A-Za-z]+)""")]
    private static partial Regex ActionLiteralRegex();
}
