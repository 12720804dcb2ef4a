using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>The Azure SDK clients retry with the settings of what they serve: the workspace's for Key Vault, the host storage's for the snapshots.</summary>
public sealed class AzureSdkRetryTests
{
    [Fact]
    public async Task SnapshotBlobs_ShouldBeTriedAsOftenAsStateStorageSays_NotAsOftenAsDelivery()
    {
        // Arrange: a storage endpoint that answers 503 to everything; delivery would try 5 times, state storage 2.
        var requests = 0;
        var (server, endpoint) = await LoopbackKestrel.StartAsync(context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var _ = server;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint={endpoint}devstoreaccount1;",
            ["IamKey:Delivery:Sink"] = "None",
            ["IamKey:Delivery:MaxAttempts"] = "5",
            ["IamKey:StateStorage:MaxAttempts"] = "2",
            ["IamKey:StateStorage:RetryBaseDelay"] = "00:00:00.001",
            ["IamKey:StateStorage:RetryMaxDelay"] = "00:00:00.010",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<Azure.Core.TokenCredential>(new Azure.Identity.ClientSecretCredential("tenant", "client", "not-used"));
        services.AddReportDelivery(configuration);
        services.AddKeyHistory(configuration);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<ISnapshotStore>();

        // Act
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.ReadAsync("aws", "111122223333"));

        // Assert
        Assert.IsType<BlobSnapshotStore>(store);
        Assert.Equal(2, requests);
        Assert.Contains("111122223333", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateStorage_ShouldFailAtStartNamingTheSettings_WhenTheFirstDelayIsLongerThanTheLongest()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IamKey:History:Enabled"] = "false",
            ["IamKey:StateStorage:RetryBaseDelay"] = "00:00:10",
            ["IamKey:StateStorage:RetryMaxDelay"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddKeyHistory(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("IamKey:StateStorage:RetryBaseDelay must not be longer than IamKey:StateStorage:RetryMaxDelay.", error.Message, StringComparison.Ordinal);
    }
}
