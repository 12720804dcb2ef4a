using Azure.Core;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>The real delivery composition (<c>AddReportDelivery</c>) pointed at the Azure fakes, with all logs captured.</summary>
internal sealed class DeliveryHost : IAsyncDisposable
{
    private DeliveryHost(ServiceProvider services, LogCapture logs)
    {
        Services = services;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public LogCapture Logs { get; }

    public IReportSink Sink => Services.GetRequiredService<IReportSink>();

    public static DeliveryHost Create(
        AzureFakes fakes,
        SinkMode sink = SinkMode.DataCollector,
        IReadOnlyDictionary<string, string?>? settings = null,
        TokenCredential? credential = null,
        TimeProvider? timeProvider = null,
        Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(fakes.Settings(sink))
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var logs = new LogCapture();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(credential ?? fakes.CreateCredential());
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddReportDelivery(configuration);
        fakes.ConfigureServices(services);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        return new DeliveryHost(provider, logs);
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
