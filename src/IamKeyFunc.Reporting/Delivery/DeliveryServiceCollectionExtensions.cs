using Azure.Core;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IReportSink"/> chosen by <c>IamKey:Delivery:Sink</c> (<c>DataCollector</c> or
    /// <c>LogsIngestion</c>; resolving it with <c>None</c> throws), its clients and named HTTP clients, and binds and validates
    /// (at start) <c>IamKey:Delivery</c> (with the host's <c>functionTimeout</c>, see <see cref="HostFunctionTimeout"/>),
    /// <c>IamKey:DataCollector</c> and <c>IamKey:LogsIngestion</c>, and the <see cref="DeliveryRecovery"/> pass.
    /// Expects a <see cref="TokenCredential"/> in the container (the composition root registers the app's identity).
    /// </summary>
    public static IServiceCollection AddReportDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptionsSection<DeliveryOptions, DeliveryOptionsValidator>(configuration, DeliveryOptions.SectionName)
            .Configure(options => HostFunctionTimeout.Read(options, configuration));
        services.AddOptionsSection<DataCollectorOptions, DataCollectorOptionsValidator>(configuration, DataCollectorOptions.SectionName);
        services.AddOptionsSection<LogsIngestionOptions, LogsIngestionOptionsValidator>(configuration, LogsIngestionOptions.SectionName);

        // The sink and the Logs Ingestion client run their own attempt loop (each attempt is re-signed with a fresh
        // x-ms-date, or re-authorized), so each named client only bounds one attempt. Key Vault goes through the Azure
        // SDK pipeline, which retries and bounds each attempt by itself (see WorkspaceKeyProvider).
        AddTimeoutClient(services, DataCollectorSink.HttpClientName);
        AddTimeoutClient(services, LogsIngestionSink.HttpClientName);
        services.AddHttpClient(WorkspaceKeyProvider.HttpClientName);

        services.TryAddSingleton<WorkspaceKeyProvider>();
        services.TryAddSingleton(CreateLogsIngestionClient);
        services.TryAddSingleton<DataCollectorSink>();
        services.TryAddSingleton<LogsIngestionSink>();
        services.TryAddSingleton<DeliveryRecovery>();

        services.TryAddSingleton<IReportSink>(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.Sink switch
        {
            SinkMode.DataCollector => sp.GetRequiredService<DataCollectorSink>(),
            SinkMode.LogsIngestion => sp.GetRequiredService<LogsIngestionSink>(),
            var none => throw new InvalidOperationException($"IamKey:Delivery:Sink is {none}: nothing is delivered, so no IReportSink is available (collect-only runs must not ask for one)."),
        });

        return services;
    }

    /// <summary>
    /// A named client whose <see cref="HttpClient.Timeout"/> is <c>IamKey:Delivery:RequestTimeout</c>: the callers send
    /// with the default completion option, so the deadline covers the whole body, not only the headers.
    /// </summary>
    private static void AddTimeoutClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, (provider, client) =>
            client.Timeout = provider.GetRequiredService<IOptions<DeliveryOptions>>().Value.RequestTimeout);

    private static LogsIngestionClient CreateLogsIngestionClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LogsIngestionOptions>>().Value;
        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var httpClientFactory = services.GetRequiredService<IHttpClientFactory>();
        var endpoint = options.Endpoint ?? throw new InvalidOperationException("IamKey:LogsIngestion:Endpoint is not set.");
        return new LogsIngestionClient(endpoint, services.GetRequiredService<TokenCredential>(), new LogsIngestionClientOptions
        {
            Audience = options.Audience,
            MaxAttempts = delivery.MaxAttempts,
            RetryBaseDelay = delivery.RetryBaseDelay,
            RetryMaxDelay = delivery.RetryMaxDelay,
            TimeProvider = services.GetRequiredService<TimeProvider>(),
            HttpClientProvider = () => httpClientFactory.CreateClient(LogsIngestionSink.HttpClientName),
            Logger = services.GetRequiredService<ILogger<LogsIngestionClient>>(),
            MaxRequestBytes = options.MaxRequestBytes,
        });
    }
}
