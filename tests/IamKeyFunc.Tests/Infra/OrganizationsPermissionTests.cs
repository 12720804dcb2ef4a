using System.Text.Json.Nodes;
using IamKeyFunc.Reporting.Aws.Organizations;

namespace IamKeyFunc.Tests.Infra;

/// <summary>The discovery role's permissions against the Organizations calls the client makes, and its trust.</summary>
public sealed class OrganizationsPermissionTests
{
    private const string Template = "infra/aws/discovery-role.yaml";

    [Fact]
    public void DiscoveryRole_ShouldGrantExactlyTheOrganizationsActionsTheClientCalls()
    {
        var role = Assert.Single(CloudFormationTemplate.Load(Template).ResourcesOfType("AWS::IAM::Role")).Resource;

        var granted = Statements(role).SelectMany(s => s["Action"]!.AsArray().Select(a => (string)a!)).Order(StringComparer.Ordinal);

        Assert.Equal(OrganizationsClient.Operations.Select(op => $"organizations:{op}").Order(StringComparer.Ordinal), granted);
        Assert.All(Statements(role), s => Assert.Equal("Allow", (string?)s["Effect"]));
    }

    [Fact]
    public void DiscoveryRole_ShouldTrustOnlyTheCentralReaderRole_NamedAsTheCentralTemplateNamesIt()
    {
        var template = CloudFormationTemplate.Load(Template);
        var role = Assert.Single(template.ResourcesOfType("AWS::IAM::Role")).Resource;
        var central = CloudFormationTemplate.Load("infra/aws/central-account.yaml");

        var statement = Assert.Single(role["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;

        Assert.Equal("sts:AssumeRole", (string?)statement["Action"]);
        Assert.Equal("arn:${AWS::Partition}:iam::${CentralAccountId}:role/${CentralRoleName}", (string?)statement["Principal"]!["AWS"]!["Fn::Sub"]);
        Assert.Equal(central.ParameterDefault("RoleName"), template.ParameterDefault("CentralRoleName"));
        Assert.Equal(central.ParameterDefault("DiscoveryRoleName"), template.ParameterDefault("RoleName"));
        Assert.DoesNotMatch(@"arn:aws(-cn|-us-gov)?:", InfraFiles.ReadText(Template));
    }

    private static IEnumerable<JsonObject> Statements(JsonObject role) =>
        role["Properties"]!["Policies"]!.AsArray()
            .SelectMany(policy => policy!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(statement => statement!.AsObject());
}
