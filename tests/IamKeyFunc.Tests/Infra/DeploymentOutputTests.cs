using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// What the Bicep deployment hands on: the Entra app registration it creates, the AWS commands and quick-create link
/// with every CloudFormation parameter filled in, and parameters that are safe to deploy unedited.
/// </summary>
public sealed partial class DeploymentOutputTests
{
    public static TheoryData<string, string> AwsOutputs => new()
    {
        { "AWS_CENTRAL_STACK_COMMAND", "infra/aws/central-account.yaml" },
        { "AWS_MEMBER_STACK_COMMAND", "infra/aws/member-account.yaml" },
        { "AWS_CENTRAL_STACK_QUICK_CREATE_URL", "infra/aws/central-account.yaml" },
    };

    [Theory]
    [MemberData(nameof(AwsOutputs))]
    public void AwsOutput_ShouldFillEveryRequiredParameterAndOnlyParametersOfTheTemplate(string output, string template)
    {
        // Arrange
        var expression = (string)InfraFiles.MainTemplate["outputs"]![output]!["value"]!;
        var parameters = CloudFormationTemplate.Load(template).Parameters;
        var required = parameters.Where(p => p.Value?["Default"] is null).Select(p => p.Key).ToHashSet();

        // Act
        var given = ParameterRegex().Matches(expression).Select(m => m.Groups[1].Value).ToHashSet();

        // Assert
        var unknown = given.Where(name => parameters[name] is null).ToList();
        var missing = required.Where(name => !given.Contains(name)).ToList();
        Assert.True(unknown.Count == 0, $"{output} names parameters {template} does not have: {string.Join(", ", unknown)}");
        Assert.True(missing.Count == 0, $"{output} leaves out required parameters of {template}: {string.Join(", ", missing)}");
        if (!output.EndsWith("_URL", StringComparison.Ordinal))
        {
            Assert.Contains($"--template-file {template}", expression, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EntraApp_ShouldIssueV1TokensWithAnAppRoleAndRequireAssignmentToTheIdentity()
    {
        // Arrange
        var resources = InfraFiles.ModuleTemplate("entra-app")["resources"]!.AsObject().Select(r => r.Value!.AsObject()).ToList();
        JsonObject Of(string type) => resources.Single(r => (string?)r["type"] == type)["properties"]?.AsObject() ?? resources.Single(r => (string?)r["type"] == type);

        // Act
        var application = Of("Microsoft.Graph/applications@v1.0");
        var servicePrincipal = Of("Microsoft.Graph/servicePrincipals@v1.0");
        var assignment = Of("Microsoft.Graph/appRoleAssignedTo@v1.0");

        // Assert
        Assert.Equal(1, (int?)application["api"]?["requestedAccessTokenVersion"]);
        Assert.Equal("Application", (string?)application["appRoles"]?[0]?["allowedMemberTypes"]?[0]);
        Assert.Contains("identifierUri", application["identifierUris"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.True((bool?)servicePrincipal["appRoleAssignmentRequired"]);
        Assert.Contains("principalId", assignment["principalId"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Audience_ShouldBeTheTenantFormWithTheGraphExtension_AndPassTheAppsOwnValidation()
    {
        // Arrange: api://{appId} cannot be set in the deployment that creates the app, so Bicep uses api://{tenantId}/{name}.
        var audience = (string)InfraFiles.MainTemplate["variables"]!["audience"]!;
        var options = new AwsOptions { RoleArn = "arn:aws:iam::111122223333:role/IamKeyFuncReader", Audience = "api://72f988bf-86f1-41af-91ab-2d7cd011db47/iamkeyfunc-abc123" };

        // Act
        var valid = Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);

        // Assert
        Assert.StartsWith("[if(parameters('createEntraApp'), format('api://{0}/{1}', tenant().tenantId", audience, StringComparison.Ordinal);
        Assert.True(valid, "the audience Bicep sets fails AwsOptions validation");
        var functionApp = InfraFiles.MainTemplate["resources"]!.AsArray().Single(r => (string?)r?["name"] == "function-app")!;
        Assert.Contains("'IamKey__Aws__Audience', variables('audience')", (string?)functionApp["properties"]!["parameters"]!["appSettings"]!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void DeploymentContainerName_ShouldBeLowerCase_WhateverTheFunctionAppName()
    {
        // Arrange
        var storage = InfraFiles.MainTemplate["resources"]!.AsArray().Single(r => (string?)r?["name"] == "storage")!;

        // Act
        var container = (string)storage["properties"]!["parameters"]!["deploymentContainerName"]!["value"]!;

        // Assert
        Assert.StartsWith("[toLower(", container, StringComparison.Ordinal);
    }

    [Fact]
    public void ParametersFile_ShouldHoldNoPlaceholderThatWouldDeployAsIs()
    {
        // Arrange
        var parameters = InfraFiles.ReadJson("infra/azure/main.parameters.json")["parameters"]!.AsObject();

        // Act
        var placeholders = parameters.Where(p => p.Value!["value"]!.ToJsonString().Contains('<', StringComparison.Ordinal)).Select(p => p.Key).ToList();

        // Assert
        Assert.Empty(placeholders);
    }

    [GeneratedRegex(@"(?:param_|[ \-'])([A-Z][A-Za-z]+)=\{")]
    private static partial Regex ParameterRegex();
}
