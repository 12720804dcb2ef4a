using IamKeyFunc.Cli.Hosting;
using System.CommandLine;
using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Evaluation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys validate-config</c>: runs every options validator the Function app runs at start-up and prints each
/// failure (naming its setting), or the effective targets when the configuration is valid: the accounts, every key
/// policy with its match and thresholds in the order they are tried, and every exemption with its match. Nothing is
/// called. Ctrl-C or SIGTERM stops it at once (exit code 130), even while a settings or policy file is still being read.
/// </summary>
internal static class ValidateConfigCommand
{
    /// <summary>The width of the labels of the summary's rows.</summary>
    private const int LabelWidth = 14;

    public static Command Create(Option<FileInfo> config)
    {
        var command = new Command("validate-config", "Check the settings (appsettings.json, environment, --config) without calling AWS or Azure.");
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(config), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(FileInfo? config, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        // Reading the files and validating cannot be interrupted from within (a settings file on a stuck share, a
        // pipe that never ends), so the work runs beside the command, which stops waiting for it when cancelled.
        var work = Task.Run(
            () =>
            {
                var services = CliHost.BuildServices(CliHost.BuildConfiguration(config), LogLevel.Error);
                return (Services: services, Failures: CliHost.Validate(services));
            },
            cancellationToken);
        var (services, failures) = await work.WaitAsync(cancellationToken);
        await using (services)
        {
            if (failures.Count > 0)
            {
                WriteFailures(CliConsole.Over(error), failures);
                return ExitCodes.Failed;
            }

            WriteSummary(CliConsole.Over(output), services, cancellationToken);
            return ExitCodes.Succeeded;
        }
    }

    /// <summary>One problem is one line; several are a count and one line each, all of them at once.</summary>
    public static void WriteFailures(IAnsiConsole console, IReadOnlyList<string> failures) => CliErrors.WriteConfigurationFailures(console, failures);

    /// <summary>
    /// One line per row, account, policy and exemption, written as plain lines: a table cell holding thousands of
    /// policies made Spectre's layout quadratic (minutes for 5,000 policies).
    /// </summary>
    private static void WriteSummary(IAnsiConsole console, IServiceProvider services, CancellationToken cancellationToken)
    {
        var aws = services.GetRequiredService<IOptions<AwsOptions>>().Value;
        var collection = services.GetRequiredService<IOptions<CollectionOptions>>().Value;
        var findings = services.GetRequiredService<IOptions<FindingsOptions>>().Value;
        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var sessions = services.GetRequiredService<AwsSessionProvider>();
        var sts = services.GetRequiredService<StsClientFactory>();
        var policies = services.GetRequiredService<KeyPolicies>();

        console.MarkupLine("[green]configuration OK[/]");
        Row(console, "Central role", $"{aws.RoleArn} ({aws.CredentialSource}, audience {aws.Audience})");
        Row(console, "Partition", $"{sessions.Partition.Name}; STS {sts.EndpointFor(sessions.Partition)} ({sts.RegionFor(sessions.Partition)}); IAM {sessions.IamEndpoint}");
        Row(console, "Collection", $"{collection.Mode} mode, key IDs {collection.KeyIdFormat}, {collection.MaxParallelAccounts} accounts in parallel");
        Row(console, "Findings", $"rotate after {findings.RotationDays} d, unused after {findings.UnusedDays} d, never-used grace {findings.NeverUsedGraceDays} d");
        Row(console, "Delivery", Destination(services, delivery));
        if (delivery.Sink == SinkMode.DataCollector)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(DataCollectorRetirement.Notice)}[/]");
        }

        List(console, "Accounts", sessions.Sessions.Select(s => $"{s.AccountId}  {s.RoleArn}"), cancellationToken);
        foreach (var line in PolicyLines(policies))
        {
            cancellationToken.ThrowIfCancellationRequested();
            console.WriteLine(line);
        }
    }

    /// <summary>
    /// The policies in the order they are tried, then the default, then the exemptions:
    /// <c>  1. ci, for UserName ci-*: rotate 30 d, unused 90 d, never-used grace 7 d, warn 14 d ahead</c>.
    /// </summary>
    internal static IEnumerable<string> PolicyLines(KeyPolicies policies)
    {
        var count = policies.Ordered.Count;
        if (count == 0)
        {
            yield return $"{"Key policies",-LabelWidth}none: every key gets {policies.Default.Name} ({Thresholds(policies.Default)})";
        }
        else
        {
            yield return $"{"Key policies",-LabelWidth}{count}, tried in order; the first that matches a key applies";
            for (var i = 0; i < count; i++)
            {
                var policy = policies.Ordered[i];
                yield return $"  {i + 1}. {policy.Name}, for {policy.Match}: {Thresholds(policy)}";
            }

            yield return $"  then {policies.Default.Name}, for every other key: {Thresholds(policies.Default)}";
        }

        var exemptions = policies.Exemptions.All;
        if (exemptions.Count == 0)
        {
            yield return $"{"Exemptions",-LabelWidth}none";
            yield break;
        }

        yield return $"{"Exemptions",-LabelWidth}{exemptions.Count}";
        foreach (var exemption in exemptions)
        {
            yield return $"  {exemption.Label}, for {Match(exemption)}: until {exemption.Expires.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC ({exemption.Reason}; {exemption.Reference})";
        }
    }

    private static string Thresholds(KeyPolicy policy)
    {
        var profile = policy.Profile == PolicyProfile.Default ? "" : $"{policy.Profile}: ";
        var warnings = policy.WarnBeforeDays.Count == 0 ? "no warning" : $"warn {string.Join(',', policy.WarnBeforeDays)} d ahead";
        return $"{profile}rotate {policy.RotationDays} d, unused {policy.UnusedDays} d, never-used grace {policy.NeverUsedGraceDays} d, {warnings}";
    }

    private static string Match(Exemption exemption)
    {
        var parts = new List<string>();
        if (exemption.UserArn is not null)
        {
            parts.Add($"UserArn {exemption.UserArn}");
        }
        else if (exemption.AccountId is not null)
        {
            parts.Add($"AccountId {exemption.AccountId}");
        }

        if (exemption.KeyIdSha256 is not null)
        {
            parts.Add($"KeyIdSha256 {exemption.KeyIdSha256}");
        }

        return string.Join(" and ", parts);
    }

    private static void Row(IAnsiConsole console, string label, string value) => console.WriteLine($"{label,-LabelWidth}{value}");

    private static void List(IAnsiConsole console, string label, IEnumerable<string> items, CancellationToken cancellationToken)
    {
        var all = items.ToList();
        Row(console, label, all.Count == 0 ? "none" : all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var item in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            console.WriteLine($"  {item}");
        }
    }

    private static string Destination(IServiceProvider services, DeliveryOptions delivery) => delivery.Sink switch
    {
        SinkMode.DataCollector => services.GetRequiredService<IOptions<DataCollectorOptions>>().Value is var dc
            ? $"Data Collector API, workspace {dc.WorkspaceId} ({dc.ResolveEndpoint()}), key from {dc.KeyVaultUri}secrets/{dc.WorkspaceKeySecretName}; tables {delivery.KeyRecordTable}_CL, {delivery.RunSummaryTable}_CL"
            : "",
        SinkMode.LogsIngestion => services.GetRequiredService<IOptions<LogsIngestionOptions>>().Value is var li
            ? $"Logs Ingestion API, {li.Endpoint} DCR {li.DcrImmutableId}, streams {li.KeyRecordStream}, {li.RunSummaryStream}"
            : "",
        _ => "None (collect only)",
    };
}
