using System.CommandLine;
using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Hosting;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys demo</c>: the whole pipeline with no cloud and no configuration. Starts the loopback AWS emulator with
/// the sample organization in-process, federates into it with a test token exactly as the Function does with Entra,
/// collects every account, prints the findings and writes the JSONL the sinks would have sent.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultOutput = "iamkeys-demo.jsonl";

    public static Command Create()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = $"Where to write the records (JSON Lines; replaced if it exists). Default: {DefaultOutput}.",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var command = new Command("demo", "Run the whole pipeline against a loopback AWS emulator with a sample organization: no cloud account, no configuration.") { output };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, TimeProvider.System, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(string output, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        var console = CliConsole.Over(stdout);
        var progress = CliConsole.Over(stderr);
        var path = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);

        var scenario = ScenarioGenerator.SampleOrganization(time.GetUtcNow());
        await using var emulator = await AwsEmulatorServer.StartAsync(scenario, new EmulatorOptions { TimeProvider = time }, cancellationToken);
        console.MarkupLineInterpolated($"AWS emulator at {emulator.Endpoint}: '{scenario.Name}', {scenario.Accounts.Count} accounts, {scenario.Accounts.Sum(a => a.Users.Count)} users.");

        var settings = Settings(emulator);
        var token = TestJwt.ForScenario(scenario, time.GetUtcNow() + TimeSpan.FromHours(1));
        await using var services = CliHost.BuildServices(
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            LogLevel.Error,
            s =>
            {
                s.AddSingleton(time);
                s.AddSingleton<TokenCredential>(new DevelopmentTokenCredential(token, settings[$"{AwsOptions.SectionName}:{nameof(AwsOptions.Audience)}"]!));
            });

        if (CliHost.Validate(services) is { Count: > 0 } failures)
        {
            ValidateConfigCommand.WriteFailures(progress, failures);
            return ExitCodes.Failed;
        }

        await using var file = CollectCommand.JsonlSink(services, path);
        var result = await services.GetRequiredService<ReportJob>().RunAsync(
            new RunRequest(RunTrigger.Cli, Progress: new AccountProgress(progress), Sink: file), cancellationToken);

        RunReport.WriteFindings(console, result.Records);
        RunReport.WriteOutcome(console, result);
        console.MarkupLineInterpolated($"Wrote {result.KeyDelivery?.Delivered ?? 0} key records and {result.SummaryDelivery?.Delivered ?? 0} run summaries to [bold]{path}[/]");
        return result.Status == RunStatus.Failed ? ExitCodes.Failed : ExitCodes.Succeeded;
    }

    /// <summary>The settings that point the pipeline at the emulator: its central role and trust, its member accounts, its endpoint.</summary>
    internal static Dictionary<string, string?> Settings(AwsEmulatorServer emulator)
    {
        var scenario = emulator.Scenario;
        var members = scenario.Accounts.Where(a => a != scenario.CentralAccount).ToList();
        var aws = AwsOptions.SectionName;
        return new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{aws}:{nameof(AwsOptions.RoleArn)}"] = scenario.CentralRoleArn,
            [$"{aws}:{nameof(AwsOptions.Audience)}"] = scenario.CentralRole!.WebIdentity!.Audience,
            [$"{aws}:{nameof(AwsOptions.StsEndpoint)}"] = emulator.Endpoint.ToString(),
            [$"{aws}:{nameof(AwsOptions.IamEndpoint)}"] = emulator.Endpoint.ToString(),
            [$"{aws}:{nameof(AwsOptions.MemberAccountIds)}"] = string.Join(',', members.Select(a => a.AccountId)),
            [$"{aws}:{nameof(AwsOptions.MemberRoleName)}"] = members.SelectMany(a => a.Roles).Select(r => r.Name).FirstOrDefault(),
            [$"{CollectionOptions.SectionName}:{nameof(CollectionOptions.Mode)}"] = nameof(FreshnessMode.Live),
            [$"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Sink)}"] = nameof(SinkMode.None),
        };
    }
}
