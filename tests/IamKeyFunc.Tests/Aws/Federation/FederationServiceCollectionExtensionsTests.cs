using Azure.Core;
using Azure.Identity;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static IamKeyFunc.Tests.Aws.Federation.FederationTestKit;

namespace IamKeyFunc.Tests.Aws.Federation;

public sealed class FederationServiceCollectionExtensionsTests
{
    [Fact]
    public void AddAwsFederation_ShouldResolveTheSessionProvider_FromConfiguration()
    {
        // Arrange
        using var provider = Build(new()
        {
            ["IamKey:Aws:RoleArn"] = CentralRoleArn,
            ["IamKey:Aws:Audience"] = Audience,
            ["IamKey:Aws:MemberAccountIds"] = "444455556666",
            ["IamKey:Aws:CredentialRefreshWindow"] = "00:05:00",
        });

        // Act
        var sessions = provider.GetRequiredService<AwsSessionProvider>();

        // Assert
        Assert.Equal(["111122223333", "444455556666"], sessions.Sessions.Select(s => s.AccountId));
        Assert.Equal(TimeSpan.FromMinutes(5), provider.GetRequiredService<IOptions<AwsOptions>>().Value.CredentialRefreshWindow);
        Assert.Same(provider.GetRequiredService<AwsSessionProvider>(), sessions);
    }

    [Fact]
    public void AddAwsFederation_ShouldTreatEmptyOptionalSettingsAsUnset()
    {
        // Arrange: app settings left blank, as in a sample settings file.
        using var provider = Build(new()
        {
            ["IamKey:Aws:RoleArn"] = CentralRoleArn,
            ["IamKey:Aws:Audience"] = Audience,
            ["IamKey:Aws:StsEndpoint"] = "",
            ["IamKey:Aws:IamEndpoint"] = "",
            ["IamKey:Aws:StsRegion"] = "",
            ["IamKey:Aws:Profile"] = "",
            ["IamKey:Aws:MemberAccountIds"] = "",
            ["IamKey:Aws:MemberRoleArns"] = "",
        });

        // Act
        var sessions = provider.GetRequiredService<AwsSessionProvider>();
        var sts = provider.GetRequiredService<StsClientFactory>();

        // Assert
        Assert.Equal(new Uri("https://iam.amazonaws.com/"), Assert.Single(sessions.Sessions).IamEndpoint);
        Assert.Equal(new Uri("https://sts.us-east-1.amazonaws.com/"), sts.EndpointFor(sessions.Partition));
    }

    [Fact]
    public void AddAwsFederation_ShouldReportEveryProblemWithTheSettingName_WhenOptionsAreValidated()
    {
        // Arrange
        using var provider = Build(new()
        {
            ["IamKey:Aws:RoleArn"] = CentralRoleArn,
            ["IamKey:Aws:Audience"] = "https://wrong",
            ["IamKey:Aws:MemberAccountIds"] = "abc",
        });

        // Act
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AwsOptions>>().Value);

        // Assert
        Assert.Contains(error.Failures, f => f.Contains("IamKey:Aws:Audience must be the app registration's identifier URI, api://{appId} or api://{tenantId}/{name} (GUIDs).", StringComparison.Ordinal));
        Assert.Contains("IamKey:Aws:MemberAccountIds contains 'abc': expected 12-digit account IDs.", error.Failures);
    }

    [Theory]
    [InlineData(null, AzureCredentialKind.Auto, typeof(DefaultAzureCredential))]
    [InlineData("http://127.0.0.1:41000/msi/token", AzureCredentialKind.Auto, typeof(ManagedIdentityCredential))]
    [InlineData(null, AzureCredentialKind.ManagedIdentity, typeof(ManagedIdentityCredential))]
    [InlineData("http://127.0.0.1:41000/msi/token", AzureCredentialKind.Default, typeof(DefaultAzureCredential))]
    public void AddAzureTokenCredential_ShouldChooseTheCredential_ByHostAndKind(string? identityEndpoint, AzureCredentialKind kind, Type expected)
    {
        // Arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IDENTITY_ENDPOINT"] = identityEndpoint,
            ["IamKey:Identity:ManagedIdentityClientId"] = "11111111-2222-3333-4444-555555555555",
        }).Build();
        var services = new ServiceCollection().AddLogging();

        // Act
        using var provider = services.AddAzureTokenCredential(configuration, kind).BuildServiceProvider();

        // Assert
        Assert.IsType(expected, provider.GetRequiredService<TokenCredential>());
    }

    [Fact]
    public void AddAzureTokenCredential_ShouldKeepACredentialThatIsAlreadyRegistered()
    {
        // Arrange
        var mine = new FakeTokenCredential(TimeProvider.System);
        var services = new ServiceCollection().AddSingleton<TokenCredential>(mine);

        // Act
        using var provider = services.AddAzureTokenCredential(new ConfigurationBuilder().Build()).BuildServiceProvider();

        // Assert
        Assert.Same(mine, provider.GetRequiredService<TokenCredential>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging(logging => logging.ClearProviders())
            .AddAwsFederation(configuration)
            .BuildServiceProvider();
    }
}
