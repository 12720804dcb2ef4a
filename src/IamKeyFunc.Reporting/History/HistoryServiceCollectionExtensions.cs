using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.History;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>The named <see cref="IHttpClientFactory"/> client the blob store sends through.</summary>
    public const string HttpClientName = "IamKey.History";

    /// <summary>
    /// Binds and validates (at start) <c>IamKey:History</c> and the host storage setting <c>AzureWebJobsStorage</c>, and
    /// registers <see cref="KeyHistory"/> with its <see cref="ISnapshotStore"/>: a <see cref="FolderSnapshotStore"/> when
    /// <c>IamKey:History:StateDirectory</c> is set, otherwise a <see cref="BlobSnapshotStore"/> in the host's storage
    /// account (connection string, or the app's <see cref="TokenCredential"/> with the identity-based form). The blob
    /// client sends through <see cref="HttpClientName"/>; the Azure SDK pipeline retries with the
    /// <c>IamKey:StateStorage</c> attempts and delays.
    /// </summary>
    public static IServiceCollection AddKeyHistory(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsSection<HistoryOptions, HistoryOptionsValidator>(configuration, HistoryOptions.SectionName)
            .Configure(options => ReadHostStorage(options, configuration));
        services.AddOptionsSection<StateStorageOptions, StateStorageOptionsValidator>(configuration, StateStorageOptions.SectionName);
        services.AddHttpClient(HttpClientName);
        services.TryAddSingleton(CreateStore);
        services.TryAddSingleton(sp => new KeyHistory(
            sp.GetRequiredService<IOptions<HistoryOptions>>().Value.Enabled ? sp.GetRequiredService<ISnapshotStore>() : null,
            sp.GetRequiredService<IOptions<HistoryOptions>>(),
            sp.GetRequiredService<ILogger<KeyHistory>>()));
        return services;
    }

    private static void ReadHostStorage(HistoryOptions options, IConfiguration configuration)
    {
        var storage = configuration.GetSection(HistoryOptions.HostStorageSetting);
        if (!string.IsNullOrWhiteSpace(storage.Value))
        {
            options.StorageConnectionString = storage.Value;
        }
        else if (storage["blobServiceUri"] is { Length: > 0 } blobServiceUri)
        {
            options.BlobServiceUri = Uri.TryCreate(blobServiceUri, UriKind.RelativeOrAbsolute, out var uri) ? uri : new Uri("invalid", UriKind.Relative);
        }
        else if (storage["accountName"] is { Length: > 0 } accountName)
        {
            options.BlobServiceUri = Uri.TryCreate($"https://{accountName}.blob.core.windows.net/", UriKind.Absolute, out var uri) ? uri : new Uri("invalid", UriKind.Relative);
        }
    }

    private static ISnapshotStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<HistoryOptions>>().Value;
        if (options.UsesFolder)
        {
            return new FolderSnapshotStore(options.StateDirectory!, services.GetService<TimeProvider>());
        }

        var state = services.GetRequiredService<IOptions<StateStorageOptions>>().Value;
        var clientOptions = new BlobClientOptions
        {
            Transport = new HttpClientTransport(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)),
        };
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        AzureSdkRetry.Apply(clientOptions.Retry, state);

        var client = options.StorageConnectionString is { } connectionString
            ? new BlobServiceClient(connectionString, clientOptions)
            : new BlobServiceClient(options.BlobServiceUri, services.GetRequiredService<TokenCredential>(), clientOptions);
        return new BlobSnapshotStore(client.GetBlobContainerClient(options.ContainerName), services.GetService<TimeProvider>());
    }
}
