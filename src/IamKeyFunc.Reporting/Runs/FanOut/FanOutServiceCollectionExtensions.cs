using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Runs.FanOut;

public static class FanOutServiceCollectionExtensions
{
    /// <summary>The named <see cref="IHttpClientFactory"/> client the run's blob and queue clients send through.</summary>
    public const string HttpClientName = "IamKey.Run";

    /// <summary>
    /// Binds and validates <c>IamKey:Run</c> (with the host storage <c>AzureWebJobsStorage</c>) and registers the
    /// <see cref="FanOutRunner"/> and its <see cref="FanOutStore"/> in the host's storage account (connection string, or the
    /// app's <see cref="TokenCredential"/> with <c>AzureWebJobsStorage__accountName</c>). Nothing connects until a
    /// fan-out run starts.
    /// </summary>
    public static IServiceCollection AddFanOutRuns(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsSection<RunOptions, RunOptionsValidator>(configuration, RunOptions.SectionName)
            .Configure(options =>
            {
                var storage = configuration.GetSection(HistoryOptions.HostStorageSetting);
                options.StorageConnectionString = string.IsNullOrWhiteSpace(storage.Value) ? null : storage.Value;
                options.StorageAccountName = storage["accountName"];
            });
        services.AddHttpClient(HttpClientName);
        services.TryAddSingleton(CreateStore);
        services.TryAddSingleton(provider => new Lazy<FanOutStore>(provider.GetRequiredService<FanOutStore>));
        services.TryAddSingleton<FanOutRunner>();
        return services;
    }

    private static FanOutStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RunOptions>>().Value;
        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var transport = new HttpClientTransport(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName));
        var blobOptions = new BlobClientOptions { Transport = transport };
        var queueOptions = new QueueClientOptions { Transport = transport, MessageEncoding = QueueMessageEncoding.Base64 };
        blobOptions.Diagnostics.IsLoggingContentEnabled = false;
        queueOptions.Diagnostics.IsLoggingContentEnabled = false;
        AzureSdkRetry.Apply(blobOptions.Retry, delivery);
        AzureSdkRetry.Apply(queueOptions.Retry, delivery);

        var (blobs, queues) = options.StorageConnectionString is { } connectionString
            ? (new BlobServiceClient(connectionString, blobOptions), new QueueServiceClient(connectionString, queueOptions))
            : (new BlobServiceClient(new Uri($"https://{options.StorageAccountName}.blob.core.windows.net/"), services.GetRequiredService<TokenCredential>(), blobOptions),
                new QueueServiceClient(new Uri($"https://{options.StorageAccountName}.queue.core.windows.net/"), services.GetRequiredService<TokenCredential>(), queueOptions));
        return new FanOutStore(blobs.GetBlobContainerClient(options.StateContainer), queues.GetQueueClient(RunOptions.AccountQueue));
    }
}
