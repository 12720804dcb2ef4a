using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;
using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Cli.Hosting;

/// <summary>
/// The CLI's composition root: the Function app's services (<c>AddIamKeyReporting</c>) and options, with
/// configuration from <c>appsettings.json</c> next to the executable, then environment variables (<c>IamKey__Aws__RoleArn</c>),
/// then <c>--config FILE</c>, then the command's own options. Logs go to standard error. The change history's snapshots
/// go to <c>IamKey:History:StateDirectory</c>, or blob storage when <c>AzureWebJobsStorage</c> is configured, or else
/// <see cref="DefaultStateDirectory"/> (a subfolder of it per IAM endpoint, see <see cref="StateDirectoryFor"/>).
/// </summary>
internal static partial class CliHost
{
    /// <summary>
    /// The log level without <c>--verbose</c>: none of the log's lines, because every problem a run has is already on
    /// the console (the account's progress line, the closing line and its <c>Not delivered</c> line, an <c>error:</c> line).
    /// </summary>
    public const LogLevel QuietLogLevel = LogLevel.Critical;

    /// <summary>The per-user folder of the snapshots when nothing else is configured: <c>~/.local/share/iamkeys/state</c> on Linux, <c>%LOCALAPPDATA%\iamkeys\state</c> on Windows.</summary>
    public static string DefaultStateDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "iamkeys", "state");

    /// <summary>
    /// The default snapshot folder for a run against <paramref name="iamEndpoint"/> (<c>IamKey:Aws:IamEndpoint</c>):
    /// <see cref="DefaultStateDirectory"/> for AWS itself (no endpoint set), else its subfolder
    /// <c>endpoints/{host}-{port}</c>, so that the snapshots of an emulator (or of a second AWS copy) never mix with
    /// those of real accounts that have the same IDs. The folder name is built only from a parsed URI's host (letters,
    /// digits, <c>.</c> and <c>-</c>) and port, never from the setting's text; anything else gets a hash of the text.
    /// </summary>
    public static string StateDirectoryFor(string? iamEndpoint)
    {
        if (string.IsNullOrWhiteSpace(iamEndpoint))
        {
            return DefaultStateDirectory;
        }

        var name = Uri.TryCreate(iamEndpoint.Trim(), UriKind.Absolute, out var uri) && uri.IdnHost is { Length: > 0 and <= 253 } host && SafeHost().IsMatch(host)
            ? $"{host.Trim('.').ToLowerInvariant()}-{uri.Port.ToString(CultureInfo.InvariantCulture)}"
            : "endpoint-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(iamEndpoint.Trim())))[..16];
        return Path.Combine(DefaultStateDirectory, "endpoints", name);
    }

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
            var iamEndpoint = configuration[$"{AwsOptions.SectionName}:{nameof(AwsOptions.IamEndpoint)}"];
            builder.AddInMemoryCollection(new Dictionary<string, string?> { [stateDirectory] = StateDirectoryFor(iamEndpoint) });
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
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning) // four lines per AWS call at Information
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

    /// <summary>
    /// Why the configured sink cannot be reached before the run even starts, or null: <c>DataCollector</c> (Key Vault) and
    /// <c>LogsIngestion</c> (Azure Monitor) need an Azure identity, and <c>IamKey:Identity:DevelopmentToken</c> (the
    /// emulator's test token) answers only the AWS audience, so every batch would fail after its retries.
    /// </summary>
    public static string? UnreachableSink(IServiceProvider services)
    {
        var sink = services.GetRequiredService<IOptions<DeliveryOptions>>().Value.Sink;
        var needs = sink switch
        {
            SinkMode.DataCollector => "Key Vault (the workspace key)",
            SinkMode.LogsIngestion => "Azure Monitor",
            _ => null,
        };
        if (needs is null || services.GetService<TokenCredential>() is not DevelopmentTokenCredential)
        {
            return null;
        }

        var setting = $"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Sink)}";
        var chosen = services.GetRequiredService<IConfiguration>()[setting] is { Length: > 0 } ? $"{setting} is {sink}" : $"{setting} is {sink} (the default)";
        return $"{chosen}, which needs an Azure identity for {needs}, but IamKey:Identity:DevelopmentToken only answers the AWS audience: " +
            $"set {setting}=None to collect only, or write the records to a file with --output FILE.";
    }

    private static IEnumerable<string> Failures(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Failures),
        OptionsValidationException validation => validation.Failures,

        // Binding errors ("Failed to convert configuration value at 'IamKey:Delivery:Sink' to type ...") name the key.
        _ => [exception.Message],
    };

    /// <summary>A DNS name or an IPv4 address (an IPv6 literal or anything else is hashed instead).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")]
    private static partial Regex SafeHost();
}
