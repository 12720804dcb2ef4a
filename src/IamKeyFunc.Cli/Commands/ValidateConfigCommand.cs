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
/// failure (naming its setting), or the effective targets when the configuration is valid. Nothing is called.
/// </summary>
internal static class ValidateConfigCommand
{
    public static Command Create(Option<FileInfo> config)
    {
        var command = new Command("validate-config", "Check the settings (appsettings.json, environment, --config) without calling AWS or Azure.");
        command.SetAction((parse, _) => RunAsync(parse.GetValue(config), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    internal static async Task<int> RunAsync(FileInfo? config, TextWriter output, TextWriter error)
    {
        await using var services = CliHost.BuildServices(CliHost.BuildConfiguration(config), LogLevel.Error);
        if (CliHost.Validate(services) is { Count: > 0 } failures)
        {
            WriteFailures(CliConsole.Over(error), failures);
            return ExitCodes.Failed;
        }

        WriteSummary(CliConsole.Over(output), services);
        return ExitCodes.Succeeded;
    }

    /// <summary>One problem is one line; several are a count and one line each, all of them at once.</summary>
    public static void WriteFailures(IAnsiConsole console, IReadOnlyList<string> failures) => CliErrors.WriteConfigurationFailures(console, failures);

    private static void WriteSummary(IAnsiConsole console, IServiceProvider services)
    {
        var aws = services.GetRequiredService<IOptions<AwsOptions>>().Value;
        var collection = services.GetRequiredService<IOptions<CollectionOptions>>().Value;
        var findings = services.GetRequiredService<IOptions<FindingsOptions>>().Value;
        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var sessions = services.GetRequiredService<AwsSessionProvider>();
        var sts = services.GetRequiredService<StsClientFactory>();

        console.MarkupLine("[green]configuration OK[/]");
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Central role", Markup.Escape($"{aws.RoleArn} ({aws.CredentialSource}, audience {aws.Audience})"));
        grid.AddRow("Partition", Markup.Escape($"{sessions.Partition.Name}; STS {sts.EndpointFor(sessions.Partition)} ({sts.RegionFor(sessions.Partition)}); IAM {sessions.IamEndpoint}"));
        grid.AddRow("Accounts", Markup.Escape(string.Join(Environment.NewLine, sessions.Sessions.Select(s => $"{s.AccountId}  {s.RoleArn}"))));
        grid.AddRow("Collection", Markup.Escape($"{collection.Mode} mode, key IDs {collection.KeyIdFormat}, {collection.MaxParallelAccounts} accounts in parallel"));
        grid.AddRow("Findings", Markup.Escape($"rotate after {findings.RotationDays} d, unused after {findings.UnusedDays} d, never-used grace {findings.NeverUsedGraceDays} d"));
        grid.AddRow("Key policies", Markup.Escape(Policies(services.GetRequiredService<KeyPolicies>())));
        grid.AddRow("Delivery", Markup.Escape(Destination(services, delivery)));
        console.Write(grid);
        if (delivery.Sink == SinkMode.DataCollector)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(DataCollectorRetirement.Notice)}[/]");
        }
    }

    /// <summary><c>ci (rotate 30 d), prod-cis (CisAwsV7, rotate 90 d), then Default; 1 exemption</c>.</summary>
    private static string Policies(KeyPolicies policies)
    {
        var ordered = policies.Ordered.Select(p => p.Profile == PolicyProfile.Default
            ? $"{p.Name} (rotate {p.RotationDays} d, unused {p.UnusedDays} d)"
            : $"{p.Name} ({p.Profile}, rotate {p.RotationDays} d, unused {p.UnusedDays} d)");
        var count = policies.Exemptions.All.Count;
        return string.Join(", ", ordered.Append($"then {policies.Default.Name}")) + $"; {count} exemption{(count == 1 ? "" : "s")}";
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
