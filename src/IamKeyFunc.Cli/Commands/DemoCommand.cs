using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.Cli.Hosting;
using System.CommandLine;
using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Hosting;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys demo</c>: the whole pipeline with no cloud and no configuration. Starts the loopback AWS emulator with
/// the sample organization in-process, federates into it with a test token exactly as the Function does with Entra,
/// collects every account, prints the findings and writes the JSONL the sinks would have sent. Then it changes the
/// organization the way a week of key hygiene would (alice starts a rotation, terraform's key is deactivated,
/// legacy-backup's key is deleted, dev-test keeps using its old key) and runs a second pass, which reports those
/// changes as events against the first pass's snapshots (kept in a throw-away folder unless <c>--state-dir</c>).
/// </summary>
internal static class DemoCommand
{
    public const string DefaultOutput = "iamkeys-demo.jsonl";

    public static Command Create()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the records (JSON Lines; replaced if it exists), or - for standard output (the tables then go to standard error).",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = "Keep the snapshots of the two passes in this folder (default: a temporary folder, deleted afterwards).",
        };
        var command = new Command("demo", "Run the whole pipeline against a loopback AWS emulator with a sample organization, twice with changes in between: no cloud account, no configuration.") { output, stateDir };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, TimeProvider.System, cancellationToken, parse.GetValue(stateDir)));
        return command;
    }

    internal static async Task<int> RunAsync(string output, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken, string? stateDirectory = null)
    {
        var temporaryState = stateDirectory is null ? Directory.CreateTempSubdirectory("iamkeys-demo-state-").FullName : null;
        try
        {
            return await RunPassesAsync(output, stdout, stderr, time, stateDirectory ?? temporaryState!, cancellationToken);
        }
        finally
        {
            if (temporaryState is not null)
            {
                Directory.Delete(temporaryState, recursive: true);
            }
        }
    }

    private static async Task<int> RunPassesAsync(string output, TextWriter stdout, TextWriter stderr, TimeProvider time, string stateDirectory, CancellationToken cancellationToken)
    {
        // With --output - the records are standard output, as with collect, so what people read goes to standard error.
        var toStandardOutput = output == JsonlFileSink.StandardOutput;
        var console = CliConsole.Over(toStandardOutput ? stderr : stdout);
        var progress = CliConsole.Over(stderr);
        var path = toStandardOutput ? output : Path.GetFullPath(output);
        if (!toStandardOutput)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Delete(path);
        }

        var scenario = ScenarioGenerator.SampleOrganization(time.GetUtcNow());
        await using var emulator = await AwsEmulatorServer.StartAsync(scenario, new EmulatorOptions { TimeProvider = time }, cancellationToken);
        console.MarkupLine($"AWS emulator at {emulator.Endpoint}: '{TerminalText.Markup(scenario.Name)}', {Counted.Of(scenario.Accounts.Count, "account")}, {Counted.Of(scenario.Accounts.Sum(a => a.Users.Count), "user")}.");

        var settings = Settings(emulator, discover: true);
        settings[$"{HistoryOptions.SectionName}:{nameof(HistoryOptions.StateDirectory)}"] = stateDirectory;
        foreach (var (key, value) in Policies(time.GetUtcNow()))
        {
            settings[key] = value;
        }

        var token = TestJwt.ForScenario(scenario, time.GetUtcNow() + TimeSpan.FromHours(1));
        await using var services = CliHost.BuildServices(
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            CliHost.QuietLogLevel,
            s =>
            {
                s.AddSingleton(time);
                s.AddSingleton<TokenCredential>(new DevelopmentTokenCredential(token, settings[$"{AwsOptions.SectionName}:{nameof(AwsOptions.Audience)}"]!));
            });

        if (CliHost.Validate(services) is { Count: > 0 } failures)
        {
            CliErrors.WriteConfigurationFailures(progress, failures);
            return ExitCodes.Failed;
        }

        await using var file = CollectCommand.OpenOutput(services, path);
        var job = services.GetRequiredService<ReportJob>();
        var first = await job.RunAsync(new RunRequest(RunTrigger.Cli, Progress: new AccountProgress(progress), Sink: file, KeepRecords: true), cancellationToken);
        RunReport.WriteFindings(console, FindingsDigest.Of(first.Records));
        RunReport.WriteCoverage(console, first);
        RunReport.WritePolicies(console, first);
        RunReport.WriteOutcome(console, first);
        console.MarkupLine(first.Events.Count == 0
            ? "First pass: each account's snapshot is its baseline, so there are no change events yet."
            : $"First pass: {Counted.Of(first.Events.Count, "change")} since the snapshots in {TerminalText.Markup(stateDirectory)}.");
        RunReport.WriteEvents(console, first.Events);

        ChangeKeys(emulator, time.GetUtcNow());
        console.MarkupLine("Changed the organization: alice created a second key, terraform's key was deactivated, legacy-backup's key was deleted, dev-test still uses its old key.");
        var second = await job.RunAsync(new RunRequest(RunTrigger.Cli, Progress: new AccountProgress(progress), Sink: file, KeepRecords: true), cancellationToken);
        RunReport.WriteEvents(console, second.Events);
        RunReport.WritePolicies(console, second);
        RunReport.WriteOutcome(console, second);

        var keys = (first.KeyDelivery?.Delivered ?? 0) + (second.KeyDelivery?.Delivered ?? 0);
        var events = (first.EventDelivery?.Delivered ?? 0) + (second.EventDelivery?.Delivered ?? 0);
        var summaries = (first.SummaryDelivery?.Delivered ?? 0) + (second.SummaryDelivery?.Delivered ?? 0);
        var destination = toStandardOutput ? "standard output" : $"[bold]{TerminalText.Markup(path)}[/]";
        console.MarkupLine($"Wrote {Counted.Of(keys, "key record")}, {Counted.Of(events, "change event")} and {Counted.Of(summaries, "run summary", "run summaries")} (two passes) to {destination}.");
        return first.Status == RunStatus.Failed || second.Status == RunStatus.Failed ? ExitCodes.Failed : ExitCodes.Succeeded;
    }

    /// <summary>A week of key hygiene in the sample organization, as the second pass sees it.</summary>
    internal static void ChangeKeys(AwsEmulatorServer emulator, DateTimeOffset now)
    {
        var whole = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        emulator.ChangeScenario(scenario =>
        {
            var prod = scenario.Account("444455556666");
            prod.Users.Single(u => u.UserName == "alice").AccessKeys.Add(new EmulatorAccessKey { AccessKeyId = "AKIAEXAMPLEROTATED01", Status = "Active", CreateDate = whole });
            prod.Users.Single(u => u.UserName == "terraform").AccessKeys[0].Status = "Inactive";
            prod.Users.Single(u => u.UserName == "legacy-backup").AccessKeys.Clear();
            var devTest = scenario.Account("555566667777").Users.Single(u => u.UserName == "dev-test");
            devTest.KeysInSlotOrder().First().LastUsed = new KeyLastUsed { Date = whole.AddHours(-1), Region = "us-west-2", ServiceName = "lambda" };
        });
    }

    /// <summary>
    /// The demo's key policies, as app settings: CI users rotate within 30 days, the production account follows CIS AWS
    /// v7 with warnings 14, 7 and 1 days ahead, everything else the default policy (<c>IamKey:Findings</c>). The vendor
    /// appliance's key in production is exempt for 90 days; once the second pass has deleted it, the exemption matches
    /// nothing and the summary says so.
    /// </summary>
    internal static Dictionary<string, string?> Policies(DateTimeOffset now) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["IamKey:Policies:0:Name"] = "ci",
        ["IamKey:Policies:0:UserName"] = "ci-*",
        ["IamKey:Policies:0:RotationDays"] = "30",
        ["IamKey:Policies:1:Name"] = "prod-cis",
        ["IamKey:Policies:1:AccountIds"] = "444455556666",
        ["IamKey:Policies:1:Profile"] = "CisAwsV7",
        ["IamKey:Policies:1:WarnBeforeDays"] = "14,7,1",
        ["IamKey:Exemptions:0:UserArn"] = "arn:aws:iam::444455556666:user/legacy-backup",
        ["IamKey:Exemptions:0:Reason"] = "Vendor backup appliance without role support",
        ["IamKey:Exemptions:0:Reference"] = "CHG-1234",
        ["IamKey:Exemptions:0:Expires"] = now.AddDays(90).ToString("yyyy-MM-ddT00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The settings that point the pipeline at the emulator: its central role and trust, its endpoint, and its member
    /// accounts: listed (the ACTIVE ones; suspended members cannot be reached), or with <paramref name="discover"/>
    /// found by AWS Organizations discovery, as the demo does.
    /// </summary>
    internal static Dictionary<string, string?> Settings(AwsEmulatorServer emulator, bool discover = false)
    {
        var scenario = emulator.Scenario;
        var members = scenario.Accounts.Where(a => a != scenario.CentralAccount && a.State == EmulatorOrganization.ActiveState).ToList();
        var aws = AwsOptions.SectionName;
        return new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{aws}:{nameof(AwsOptions.RoleArn)}"] = scenario.CentralRoleArn,
            [$"{aws}:{nameof(AwsOptions.Audience)}"] = scenario.CentralRole!.WebIdentity!.Audience,
            [$"{aws}:{nameof(AwsOptions.StsEndpoint)}"] = emulator.Endpoint.ToString(),
            [$"{aws}:{nameof(AwsOptions.IamEndpoint)}"] = emulator.Endpoint.ToString(),
            [$"{aws}:{nameof(AwsOptions.MemberAccountIds)}"] = discover ? "" : string.Join(',', members.Select(a => a.AccountId)),
            [$"{aws}:{nameof(AwsOptions.MemberRoleName)}"] = members.SelectMany(a => a.Roles).Select(r => r.Name).FirstOrDefault(),
            [$"{DiscoveryOptions.SectionName}:{nameof(DiscoveryOptions.Source)}"] = discover ? nameof(DiscoverySource.Organizations) : nameof(DiscoverySource.Static),
            [$"{DiscoveryOptions.SectionName}:{nameof(DiscoveryOptions.Endpoint)}"] = emulator.Endpoint.ToString(),
            [$"{DiscoveryOptions.SectionName}:{nameof(DiscoveryOptions.AccountTagKeys)}"] = discover ? "Environment,Owner" : null,
            [$"{CollectionOptions.SectionName}:{nameof(CollectionOptions.Mode)}"] = nameof(FreshnessMode.Live),
            [$"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Sink)}"] = nameof(SinkMode.None),
        };
    }
}
