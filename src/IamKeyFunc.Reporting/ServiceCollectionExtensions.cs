using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Aws;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.History;
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

        services.AddValidatedOptions<AwsOptions>(configuration, AwsOptions.SectionName);
        services.AddValidatedOptions<IdentityOptions>(configuration, IdentityOptions.SectionName)
            .Validate(
                o => string.IsNullOrWhiteSpace(o.ManagedIdentityClientId) || Guid.TryParse(o.ManagedIdentityClientId, out _),
                "IamKey:Identity:ManagedIdentityClientId must be the user-assigned identity's client ID (a GUID), or empty.")
            .Validate(
                o => o.AuthorityHost is null || (o.AuthorityHost.IsAbsoluteUri && o.AuthorityHost.Scheme == Uri.UriSchemeHttps),
                "IamKey:Identity:AuthorityHost must be an absolute https URI such as https://login.microsoftonline.us/, or empty.");
        services.AddValidatedOptions<CollectionOptions>(configuration, CollectionOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CollectionOptions>, CollectionOptionsValidator>());
        services.AddValidatedOptions<FindingsOptions>(configuration, FindingsOptions.SectionName);
        services.AddValidatedOptions<KeyPolicyOptions>(configuration, KeyPolicyOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyPolicyOptions>, KeyPolicyOptionsValidator>());
        services.TryAddSingleton(s => KeyPolicyCompiler.Compile(
            s.GetRequiredService<IOptions<KeyPolicyOptions>>().Value, s.GetRequiredService<IOptions<FindingsOptions>>().Value, s.GetRequiredService<TimeProvider>().GetUtcNow()));
        services.AddValidatedOptions<DeliveryOptions>(configuration, DeliveryOptions.SectionName);
        services.AddValidatedOptions<DataCollectorOptions>(configuration, DataCollectorOptions.SectionName);
        services.AddValidatedOptions<LogsIngestionOptions>(configuration, LogsIngestionOptions.SectionName);

        services.TryAddSingleton<FindingsEvaluator>();
        services.TryAddSingleton<KeyRecordBuilder>();
        services.TryAddSingleton<IAccountSource, StaticAccountSource>();
        services.TryAddSingleton<AccountDirectory>();
        services.TryAddSingleton<AccountCollector>();
        services.TryAddSingleton(CreateReportJob);
        return services;
    }

    /// <summary>
    /// <c>AddOptions&lt;T&gt;().Bind(section).ValidateDataAnnotations().ValidateOnStart()</c>, skipping the binding and the
    /// data-annotation validator when a part's own <c>Add…</c> method registered them already (so errors are not reported twice).
    /// </summary>
    internal static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class
    {
        var builder = services.AddOptions<T>();
        if (!services.Any(d => d.ServiceType == typeof(IConfigureOptions<T>) && d.ImplementationInstance is ConfigureFromConfigurationOptions<T> or NamedConfigureFromConfigurationOptions<T>))
        {
            builder.Bind(configuration.GetSection(sectionName));
        }

        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationInstance is DataAnnotationValidateOptions<T>))
        {
            builder.ValidateDataAnnotations();
        }

        return builder.ValidateOnStart();
    }

    /// <summary>With <c>IamKey:Delivery:Sink = None</c> the job has no configured sink (and the delivery part refuses to build one).</summary>
    private static ReportJob CreateReportJob(IServiceProvider services) => new(
        services.GetRequiredService<AccountDirectory>(),
        services.GetRequiredService<AccountCollector>(),
        services.GetRequiredService<KeyRecordBuilder>(),
        services.GetRequiredService<IOptions<DeliveryOptions>>().Value.Sink == SinkMode.None ? null : services.GetRequiredService<IReportSink>(),
        services.GetRequiredService<IOptions<CollectionOptions>>(),
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<ILogger<ReportJob>>(),
        services.GetRequiredService<KeyPolicies>(),
        services.GetRequiredService<KeyHistory>());
}
