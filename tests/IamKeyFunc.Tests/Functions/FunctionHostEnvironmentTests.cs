using Azure.Core;
using IamKeyFunc.Reporting.Hosting;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

    [Fact]
    public async Task DevelopmentToken_ShouldReplaceTheAzureIdentity_WhenTheHostRunsInDevelopment()
    {
        using var host = await BuildHostWithDevelopmentTokenAsync("Development");

        Assert.IsType<DevelopmentTokenCredential>(host.Services.GetRequiredService<TokenCredential>());
        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task DevelopmentToken_ShouldStopTheAppNamingTheSetting_WhenTheHostRunsOutsideDevelopment()
    {
        using var host = await BuildHostWithDevelopmentTokenAsync("Production");

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("IamKey:Identity:DevelopmentToken is set, but the Function app honours it only in the Development environment", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(DevelopmentToken, failure.Message, StringComparison.Ordinal);
    }

    private static async Task<IHost> BuildHostWithDevelopmentTokenAsync(string environment)
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Identity:DevelopmentToken"] = DevelopmentToken;
        using var scope = await EnvironmentVariableScope.SetAsync(new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = environment });
        return FunctionHostTests.BuildHost(settings);
    }
}
