using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Hosting;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Cli;

/// <summary>
/// The CLI's composition root: the Function app's services (<c>AddIamKeyReporting</c>) and options, with
/// configuration from <c>appsettings.json</c> next to the executable, then environment variables (<c>IamKey__Aws__RoleArn</c>),
/// then <c>--config FILE</c>, then the command's own options. Logs go to standard error. The change history's snapshots
/// go to <c>IamKey:History:StateDirectory</c>, or blob storage when <c>AzureWebJobsStorage</c> is configured, or else
/// <see cref="DefaultStateDirectory"/>.
/// </summary>
internal static class CliHost
{
    /// <summary>The per-user folder of the snapshots when nothing else is configured: <c>~/.local/share/iamkeys/state</c> on Linux, <c>%LOCALAPPDATA%\iamkeys\state</c> on Windows.</summary>
    public static string DefaultStateDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "iamkeys", "state");

    public static IConfigurationRoot BuildConfiguration(FileInfo? configFile, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables();
        if (configFile is not null)
        {
            builder.AddJsonFile(configFile.FullName, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        var configuration = builder.Build();
        var stateDirectory = $"{HistoryOptions.SectionName}:{nameof(HistoryOptions.StateDirectory)}";
        if (string.IsNullOrWhiteSpace(configuration[stateDirectory]) && !configuration.GetSection(HistoryOptions.HostStorageSetting).Exists())
        {
            builder.AddInMemoryCollection(new Dictionary<string, string?> { [stateDirectory] = DefaultStateDirectory });
            configuration = builder.Build();
        }

        return configuration;
    }

    /// <summary>
    /// Builds the services. <paramref name="configure"/> runs first, so what it registers (a JSONL sink, the demo's
    /// credential) takes precedence over the composition root's fallbacks.
    /// </summary>
    public static ServiceProvider BuildServices(IConfiguration configuration, LogLevel logLevel, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(logging => logging
            .SetMinimumLevel(logLevel)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        configure?.Invoke(services);
        services.AddDevelopmentTokenCredential(configuration);
        services.AddIamKeyReporting(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    /// <summary>Runs every options validator (what <c>ValidateOnStart</c> runs when a host starts) and returns the failures, each naming its setting.</summary>
    public static IReadOnlyList<string> Validate(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException or InvalidOperationException)
        {
            return [.. Failures(ex).Distinct(StringComparer.Ordinal)];
        }
    }

    private static IEnumerable<string> Failures(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Failures),
        OptionsValidationException validation => validation.Failures,

        // Binding errors ("Failed to convert configuration value at 'IamKey:Delivery:Sink' to type ...") name the key.
        _ => [exception.Message],
    };
}
