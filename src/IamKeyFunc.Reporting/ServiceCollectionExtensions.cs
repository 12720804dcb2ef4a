using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Aws.Organizations;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Runs.FanOut;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting;

/// <summary>The composition root shared by the Function app, the CLI and the benchmarks.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole report: federation (<see cref="FederationServiceCollectionExtensions.AddAwsFederation"/>, which also
    /// registers the app's <c>TokenCredential</c> unless one is registered already), the IAM client
    /// (<see cref="IamClientServiceCollectionExtensions.AddIamClient"/>), delivery
    /// (<see cref="DeliveryServiceCollectionExtensions.AddReportDelivery"/>), the findings, the collector and the
    /// <see cref="ReportJob"/> (a singleton: it holds the single-flight state). Every <c>IamKey:*</c> options class is bound
    /// and validated (data annotations and the cross-field validators) at start, so a bad setting stops the host with a
    /// message naming it.
    /// </summary>
    public static IServiceCollection AddIamKeyReporting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddAwsFederation(configuration);
        services.AddIamClient();
        services.AddReportDelivery(configuration);
        services.AddKeyHistory(configuration);

        services.AddOptionsSection<CollectionOptions, CollectionOptionsValidator>(configuration, CollectionOptions.SectionName);
        services.AddOptionsSection<DiscoveryOptions, DiscoveryOptionsValidator>(configuration, DiscoveryOptions.SectionName);
        services.TryAddSingleton<OrganizationsClientFactory>();
        services.AddHttpClient(OrganizationsClientFactory.HttpClientName, (provider, client) =>
            client.Timeout = provider.GetRequiredService<IOptions<CollectionOptions>>().Value.RequestTimeout);
        services.AddOptionsSection<FindingsOptions>(configuration, FindingsOptions.SectionName);
        services.AddOptionsSection<KeyPolicyOptions, KeyPolicyOptionsValidator>(configuration, KeyPolicyOptions.SectionName);
        services.TryAddSingleton(s => KeyPolicyCompiler.Compile(
            s.GetRequiredService<IOptions<KeyPolicyOptions>>().Value, s.GetRequiredService<IOptions<FindingsOptions>>().Value, s.GetRequiredService<TimeProvider>().GetUtcNow()));

        services.TryAddSingleton<FindingsEvaluator>();
        services.TryAddSingleton<KeyRecordBuilder>();
        services.TryAddSingleton<StaticAccountSource>();
        services.TryAddSingleton<OrganizationsAccountSource>();
        services.TryAddSingleton<IAccountSource>(provider => provider.GetRequiredService<IOptions<DiscoveryOptions>>().Value.Source == DiscoverySource.Organizations
            ? provider.GetRequiredService<OrganizationsAccountSource>()
            : provider.GetRequiredService<StaticAccountSource>());
        services.TryAddSingleton<AccountDirectory>();
        services.TryAddSingleton<AccountCollector>();
        services.TryAddSingleton(provider => new AccountPass(
            provider.GetRequiredService<AccountCollector>(),
            provider.GetRequiredService<KeyRecordBuilder>(),
            provider.GetRequiredService<IOptions<CollectionOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<KeyPolicies>(),
            provider.GetRequiredService<KeyHistory>()));
        services.TryAddSingleton(CreateReportJob);
        services.AddFanOutRuns(configuration);
        return services;
    }

    /// <summary>With <c>IamKey:Delivery:Sink = None</c> the job has no configured sink (and the delivery part refuses to build one).</summary>
    private static ReportJob CreateReportJob(IServiceProvider services) => new(
        services.GetRequiredService<AccountDirectory>(),
        services.GetRequiredService<AccountPass>(),
        services.GetRequiredService<IOptions<DeliveryOptions>>().Value.Sink == SinkMode.None ? null : services.GetRequiredService<IReportSink>(),
        services.GetRequiredService<IOptions<CollectionOptions>>(),
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<ILogger<ReportJob>>(),
        services.GetRequiredService<KeyPolicies>(),
        services.GetRequiredService<KeyHistory>(),
        services.GetRequiredService<DeliveryRecovery>());
}
