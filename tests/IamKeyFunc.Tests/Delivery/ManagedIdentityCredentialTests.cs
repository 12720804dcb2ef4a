using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Azure.Core;
using Azure.Identity;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Testing.Azure;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>
/// The real <see cref="ManagedIdentityCredential"/> (App Service flavour, via <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c>)
/// against the fake endpoint. Azure.Identity caches tokens process-wide per resource, so each test uses resources of
/// its own; the environment scope serializes these tests process-wide.
/// </summary>
public sealed class ManagedIdentityCredentialTests
{
    [Fact]
    public async Task LogsIngestionSink_GetsItsTokenFromTheManagedIdentityEndpoint()
    {
        // Arrange
        var audience = $"https://monitor-{Guid.NewGuid():N}.example";
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { LogsIngestionAudience = audience });
        using var environment = await EnvironmentVariableScope.SetAsync(fakes.EnvironmentVariables);
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion, credential: new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned));

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(4));

        // Assert: the SDK called the endpoint the documented way, and the token it got was accepted.
        Assert.True(result.Succeeded, result.Error);
        var request = Assert.Single(fakes.ManagedIdentity.TokenRequests);
        Assert.Equal((audience, "2019-08-01", true, 200), (request.Resource, request.ApiVersion, request.IdentityHeaderValid, request.Status));
        Assert.Null(request.ClientId);
        Assert.Equal(4, fakes.LogsIngestion.Records("Custom-AwsAccessKeyReport").Count);
    }

    [Fact]
    public async Task WorkspaceKeyProvider_ReadsKeyVaultWithAUserAssignedIdentity()
    {
        // Arrange
        var resource = $"https://vault-{Guid.NewGuid():N}.example";
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { KeyVaultResource = resource });
        using var environment = await EnvironmentVariableScope.SetAsync(fakes.EnvironmentVariables);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(fakes.Options.ClientId));
        await using var host = DeliveryHost.Create(fakes, credential: credential);

        // Act
        var key = await host.Get<WorkspaceKeyProvider>().GetKeyAsync();
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(2));

        // Assert: the challenge's resource became the token request; the user-assigned client ID was sent.
        Assert.NotNull(key.Version);
        Assert.True(result.Succeeded, result.Error);
        var request = Assert.Single(fakes.ManagedIdentity.TokenRequests);
        Assert.Equal((resource, fakes.Options.ClientId), (request.Resource, request.ClientId));
    }

    [Fact]
    public async Task WorkspaceKeyProvider_ReportsAnIdentityFailureClearly()
    {
        // Arrange: the endpoint refuses the request (400 is not retried by the SDK).
        var resource = $"https://vault-{Guid.NewGuid():N}.example";
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { KeyVaultResource = resource });
        fakes.ManagedIdentity.Faults.FailNext(400);
        using var environment = await EnvironmentVariableScope.SetAsync(fakes.EnvironmentVariables);
        await using var host = DeliveryHost.Create(fakes, credential: new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned));

        // Act
        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        // Assert
        Assert.Equal("CredentialUnavailable", error.ErrorCode);
        Assert.Contains("Could not get a token for Key Vault", error.Message, StringComparison.Ordinal);
        Assert.Contains("'law-shared-key'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTokenForTheAwsAudienceIsAcceptedByTheAwsEmulator()
    {
        // Arrange: the emulator trusts the fake tenant's v1 issuer, api://{appId} and the identity's object ID.
        await using var fakes = await AzureFakes.StartAsync();
        var settings = new ScenarioGeneratorSettings { Accounts = 1, UsersPerAccount = 1, TenantId = fakes.Options.TenantId, AppId = Guid.NewGuid().ToString(), Subject = fakes.Options.PrincipalId };
        await using var aws = await AwsEmulatorServer.StartAsync(ScenarioGenerator.Generate(settings, TimeProvider.System.GetUtcNow()));
        using var environment = await EnvironmentVariableScope.SetAsync(fakes.EnvironmentVariables);
        var token = await new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned).GetTokenAsync(new TokenRequestContext([$"{settings.Audience}/.default"]));
        using var sts = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = aws.Endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

        // Act
        var session = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = aws.Scenario.CentralRoleArn,
            RoleSessionName = "iamkeyfunc-test",
            WebIdentityToken = token.Token,
        });

        // Assert
        Assert.Equal(settings.Audience, Assert.Single(fakes.ManagedIdentity.TokenRequests).Resource);
        Assert.Equal(fakes.Options.PrincipalId, session.SubjectFromWebIdentityToken);
        Assert.Equal(settings.Audience, session.Audience);
        Assert.Equal($"https://sts.windows.net/{fakes.Options.TenantId}/", session.Provider);
    }
}
