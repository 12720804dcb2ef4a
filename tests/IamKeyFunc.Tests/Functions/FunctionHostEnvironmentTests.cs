using Azure.Core;
using IamKeyFunc.Reporting.Hosting;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Functions;

/// <summary>The Functions host takes its environment from the process (<c>AZURE_FUNCTIONS_ENVIRONMENT</c>, set by <c>func start</c>), so these tests run alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class FunctionHostEnvironmentTests
{
    /// <summary>A JWT-shaped token (claims only) that expires in 2100.</summary>
    private const string DevelopmentToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl";

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    public async Task DevelopmentToken_ShouldOnlyReplaceTheAzureIdentity_WhenTheHostRunsInDevelopment(string environment, bool used)
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Identity:DevelopmentToken"] = DevelopmentToken;
        using var scope = await EnvironmentVariableScope.SetAsync(new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = environment });
        using var host = FunctionHostTests.BuildHost(settings);

        var credential = host.Services.GetRequiredService<TokenCredential>();

        Assert.Equal(used, credential is DevelopmentTokenCredential);
        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }
}
