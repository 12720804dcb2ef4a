using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Tests.Delivery;

public sealed class WorkspaceKeyProviderTests
{
    [Fact]
    public async Task GetKey_ReadsTheSecretThroughTheBearerChallengeAndCachesIt()
    {
        // Arrange
        var time = new RecordingTimeProvider();
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { TimeProvider = time });
        await using var host = DeliveryHost.Create(fakes, timeProvider: time, settings: new Dictionary<string, string?> { ["IamKey:DataCollector:KeyCacheDuration"] = "00:10:00" });
        var keys = host.Get<WorkspaceKeyProvider>();

        // Act
        var first = await keys.GetKeyAsync();
        var cached = await keys.GetKeyAsync();
        time.Advance(TimeSpan.FromMinutes(10));
        var expired = await keys.GetKeyAsync();

        // Assert: 401 challenge without a token, then the GET with a vault-audience token; re-read only after the cache duration.
        Assert.Same(first, cached);
        Assert.NotSame(first, expired);
        Assert.Equal(2, fakes.KeyVault.SecretReads);
        var requests = fakes.KeyVault.Requests;
        Assert.Equal(401, requests[0].Status);
        Assert.Null(requests[0].Header("Authorization"));
        Assert.Equal(200, requests[1].Status);
        Assert.StartsWith("/secrets/law-shared-key?api-version=", requests[1].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(fakes.ManagedIdentity.TokenRequests, r => r.Resource == "https://vault.azure.net");
    }

    [Fact]
    public async Task Invalidate_MakesTheNextCallReadTheRotatedSecret()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes);
        var keys = host.Get<WorkspaceKeyProvider>();
        var before = await keys.GetKeyAsync();
        fakes.RotateWorkspaceKey();

        keys.Invalidate();
        var after = await keys.GetKeyAsync();

        Assert.NotEqual(before.Version, after.Version);
        Assert.Equal(2, fakes.KeyVault.SecretReads);
    }

    [Fact]
    public async Task GetKey_ThrowsAConfigurationErrorWhenTheSecretIsNotBase64()
    {
        // Arrange
        await using var fakes = await AzureFakes.StartAsync();
        const string value = "this is not a workspace key!";
        fakes.KeyVault.SetSecret(fakes.Options.WorkspaceKeySecretName, value);
        await using var host = DeliveryHost.Create(fakes);

        // Act
        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        // Assert: names the setting and the vault, never the value.
        Assert.True(error.IsConfigurationError);
        Assert.Equal("InvalidWorkspaceKey", error.ErrorCode);
        Assert.Contains("IamKey:DataCollector:WorkspaceKeySecretName", error.Message, StringComparison.Ordinal);
        Assert.Contains(fakes.KeyVault.VaultUri.AbsoluteUri, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value, host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sink_ThrowsTheConfigurationErrorRatherThanCountingIt()
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.KeyVault.SetSecret(fakes.Options.WorkspaceKeySecretName, "%%%");
        await using var host = DeliveryHost.Create(fakes);

        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(2)));

        Assert.Equal("InvalidWorkspaceKey", error.ErrorCode);
        Assert.Empty(fakes.DataCollector.Posts);
    }

    [Fact]
    public async Task GetKey_GivesAClearErrorWhenKeyVaultIsUnreachable()
    {
        // Arrange: nothing listens on the vault's port.
        await using var fakes = await AzureFakes.StartAsync();
        var vault = $"https://127.0.0.1:{DataCollectorSinkTests.ClosedPort()}/";
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:DataCollector:KeyVaultUri"] = vault });

        // Act
        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        // Assert
        Assert.False(error.IsConfigurationError);
        Assert.Equal(0, error.Status);
        Assert.Equal("KeyVaultUnreachable", error.ErrorCode);
        Assert.Contains($"Key Vault {vault} is unreachable", error.Message, StringComparison.Ordinal);
        Assert.Contains("'law-shared-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempt(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sink_CountsEveryRecordAsFailedWhenKeyVaultIsUnreachable()
    {
        await using var fakes = await AzureFakes.StartAsync();
        var vault = $"https://127.0.0.1:{DataCollectorSinkTests.ClosedPort()}/";
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:DataCollector:KeyVaultUri"] = vault });

        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(5));

        // The key may be had later in the run, so the batch may be sent again by the recovery pass.
        Assert.Equal(new DeliveryResult(5, 0, 5, 1, 1, 0, 0, result.Error) { Failures = [new FailedBatch([0, 1, 2, 3, 4], Resendable: true, result.Error!)] }, result);
        Assert.Contains("is unreachable", result.Error, StringComparison.Ordinal);
        Assert.Empty(fakes.DataCollector.Posts);
    }

    [Fact]
    public async Task GetKey_NamesVaultSecretStatusAndCodeWhenAccessIsDenied()
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.KeyVault.Forbidden = true;
        await using var host = DeliveryHost.Create(fakes);

        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        Assert.True(error.IsConfigurationError);
        Assert.Equal((403, "Forbidden"), (error.Status, error.ErrorCode));
        Assert.Contains(fakes.KeyVault.VaultUri.AbsoluteUri, error.Message, StringComparison.Ordinal);
        Assert.Contains("'law-shared-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains("403 Forbidden", error.Message, StringComparison.Ordinal);
        Assert.Contains("Key Vault Secrets User", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKey_NamesTheSecretSettingWhenTheSecretDoesNotExist()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:DataCollector:WorkspaceKeySecretName"] = "no-such-secret" });

        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        Assert.Equal((404, "SecretNotFound"), (error.Status, error.ErrorCode));
        Assert.Contains("'no-such-secret'", error.Message, StringComparison.Ordinal);
        Assert.Contains("IamKey:DataCollector:WorkspaceKeySecretName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKey_RetriesThrottlingWithTheShortenedSdkRetryOptions()
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.KeyVault.Faults.FailNext(429, count: 2).FailNext(503);
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:Delivery:MaxAttempts"] = "4" });

        var key = await host.Get<WorkspaceKeyProvider>().GetKeyAsync();

        Assert.NotNull(key.Version);
        Assert.Equal(3, fakes.KeyVault.Faults.Injected);
        Assert.Equal(1, fakes.KeyVault.SecretReads);
    }

    [Fact]
    public async Task GetKey_GivesUpWithStatusAndCodeWhenThrottlingOutlastsTheAttempts()
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.KeyVault.Faults.FailNext(503, count: 3);
        await using var host = DeliveryHost.Create(fakes);

        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        Assert.False(error.IsConfigurationError);
        Assert.Equal(503, error.Status);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, fakes.KeyVault.Faults.Injected);
    }

    [Fact]
    public async Task GetKey_VerifiesTheChallengeResourceByDefault()
    {
        // Arrange: production settings (verification on); the loopback vault's host can never match vault.azure.net.
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, configure: services => services.PostConfigure<DataCollectorOptions>(o => o.DisableChallengeResourceVerification = false));

        // Act
        var error = await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Get<WorkspaceKeyProvider>().GetKeyAsync().AsTask());

        // Assert: refused before any token was asked for or sent.
        Assert.True(error.IsConfigurationError);
        Assert.Equal("ChallengeResourceMismatch", error.ErrorCode);
        Assert.Contains("IamKey:DataCollector:KeyVaultUri", error.Message, StringComparison.Ordinal);
        Assert.Empty(fakes.ManagedIdentity.TokenRequests);
        Assert.Equal(0, fakes.KeyVault.SecretReads);
    }
}
