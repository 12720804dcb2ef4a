using System.CommandLine;
using IamKeyFunc.Cli.Hosting;
using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys collect</c>: the Function's job, run now from the configuration. Records go to the configured sink, or
/// with <c>--output</c> to a JSON Lines file (<c>-</c>: standard output) instead. Progress goes to standard error.
/// </summary>
internal static class CollectCommand
{
    public static Command Create(Option<FileInfo> config, Option<bool> verbose)
    {
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the key records and run summaries as JSON Lines to this file (appended), or - for standard output, instead of the configured sink.",
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Collect without delivering to the configured sink (with --output the records are still written to the file).",
        };
        var accounts = new Option<string[]>("--account", "-a")
        {
            Description = "Only this account (12 digits); repeat or separate with commas. Default: every configured account.",
        };
        accounts.Validators.Add(result =>
        {
            foreach (var id in AccountIds(result.Tokens.Select(t => t.Value)).Where(id => !AccountId.IsValid(id)))
            {
                result.AddError(AccountId.NotAnAccountId("--account", id));
            }
        });
        var mode = new Option<string?>("--mode", "-m")
        {
            Description = "live: GetAccessKeyLastUsed per key (exact); report: last use from the credential report (fewer calls). Default: IamKey:Collection:Mode.",
        };
        mode.AcceptOnlyFromAmong("live", "report");
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = "Keep each account's snapshot (for the change events) in this folder. Default: IamKey:History:StateDirectory, else a per-user folder (one per IAM endpoint when IamKey:Aws:IamEndpoint is set, e.g. the emulator).",
        };
        var findings = new Option<int>("--findings", "-f")
        {
            Description = "Show the N riskiest keys with findings after the run (0: only the tally).",
            DefaultValueFactory = _ => DefaultFindings,
        };
        findings.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value < 0)
            {
                result.AddError($"--findings needs a non-negative whole number, not {value}.");
            }
        });

        var command = new Command("collect", "Run the inventory now with the configured settings.") { output, dryRun, accounts, mode, stateDir, findings };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Request(
                parse.GetValue(config),
                parse.GetValue(output),
                parse.GetValue(dryRun),
                AccountIds(parse.GetValue(accounts) ?? []),
                parse.GetValue(mode),
                parse.GetValue(verbose) ? LogLevel.Information : CliHost.QuietLogLevel,
                parse.GetValue(stateDir),
                parse.GetValue(findings)),
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    /// <summary>How many of the riskiest keys with findings <c>collect</c> shows unless <c>--findings</c> says otherwise.</summary>
    public const int DefaultFindings = 20;

    internal sealed record Request(FileInfo? Config, string? Output, bool DryRun, IReadOnlyList<string> Accounts, string? Mode, LogLevel LogLevel, string? StateDirectory = null, int Findings = DefaultFindings);

    internal static async Task<int> RunAsync(Request request, TextWriter error, CancellationToken cancellationToken)
    {
        var console = CliConsole.Over(error);
        var overrides = new Dictionary<string, string?>();
        if (request.Mode is not null)
        {
            overrides[$"{CollectionOptions.SectionName}:{nameof(CollectionOptions.Mode)}"] = request.Mode;
        }

        if (request.StateDirectory is not null)
        {
            overrides[$"{HistoryOptions.SectionName}:{nameof(HistoryOptions.StateDirectory)}"] = request.StateDirectory;
        }

        if (request.Output is not null)
        {
            // The file replaces the configured sink, so its settings (workspace, vault, DCR) are not needed.
            overrides[$"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Sink)}"] = nameof(SinkMode.None);
        }

        var configuration = CliHost.BuildConfiguration(request.Config, overrides);
        await using var services = CliHost.BuildServices(configuration, request.LogLevel);
        if (CliHost.Validate(services) is { Count: > 0 } failures)
        {
            CliErrors.WriteConfigurationFailures(console, failures);
            return ExitCodes.Failed;
        }

        if (!request.DryRun && request.Output is null && CliHost.UnreachableSink(services) is { } unreachable)
        {
            CliErrors.Write(console, unreachable);
            return ExitCodes.Failed;
        }

        await using var file = request.Output is null ? null : OpenOutput(services, request.Output);
        var digest = new FindingsDigest(request.Findings);
        var sink = file ?? ConfiguredSink(services);
        var result = await services.GetRequiredService<ReportJob>().RunAsync(
            new RunRequest(
                RunTrigger.Cli,
                request.Accounts.Count == 0 ? null : request.Accounts,
                request.DryRun,
                new AccountProgress(console),
                sink is null ? null : new DigestingSink(sink, digest)),
            cancellationToken);
        if (result.AccountErrors.Count > 0)
        {
            foreach (var problem in result.AccountErrors)
            {
                CliErrors.Write(console, problem);
            }

            return ExitCodes.Failed;
        }

        if (request.DryRun || sink is null)
        {
            // Nothing went through the sink: the run kept its records instead.
            digest.Add(result.Records);
        }

        if (request.DryRun && file is not null)
        {
            // A dry run delivers nothing, but the local file is the point of --output: write what would have been sent.
            await file.SendKeyRecordsAsync(result.Records, cancellationToken);
            await file.SendKeyEventsAsync(result.Events, cancellationToken);
            await file.SendRunSummariesAsync(result.Accounts, cancellationToken);
        }

        RunReport.WriteFindings(console, digest);
        RunReport.WriteEvents(console, result.Events);
        RunReport.WriteOutcome(console, result);
        RunReport.WriteHistory(console, result);
        if (request.Output is { } path and not JsonlFileSink.StandardOutput)
        {
            console.MarkupLine($"Records: {TerminalText.Markup(Path.GetFullPath(path))}");
        }

        return ExitCodes.Of(result);
    }

    /// <summary>
    /// Opens <c>--output</c> before anything is collected, so that a directory, an unwritable path or a file another run
    /// is writing (the sink holds an exclusive lock) is refused at once, in one line.
    /// </summary>
    internal static JsonlFileSink OpenOutput(IServiceProvider services, string path)
    {
        if (path != JsonlFileSink.StandardOutput && Directory.Exists(path))
        {
            throw new CliUserException($"--output '{Path.GetFullPath(path)}' is a directory: give a file name (or - for standard output).");
        }

        if (path != JsonlFileSink.StandardOutput && FileInTheWay(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file)
        {
            throw new CliUserException($"--output '{Path.GetFullPath(path)}' cannot be created: '{file}' is a file, not a folder.");
        }

        try
        {
            return JsonlSink(services, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliUserException($"--output '{Path.GetFullPath(path)}' cannot be written: {ex.Message}", ex);
        }
    }

    /// <summary>The configured sink (Data Collector or Logs Ingestion), or null with <c>IamKey:Delivery:Sink = None</c>.</summary>
    private static IReportSink? ConfiguredSink(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DeliveryOptions>>().Value.Sink == SinkMode.None ? null : services.GetRequiredService<IReportSink>();

    /// <summary>The nearest existing ancestor of <paramref name="directory"/> when it is a file (so no folder can be made there).</summary>
    private static string? FileInTheWay(string? directory)
    {
        for (; !string.IsNullOrEmpty(directory) && !Directory.Exists(directory); directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(directory))
            {
                return directory;
            }
        }

        return null;
    }

    private static JsonlFileSink JsonlSink(IServiceProvider services, string path)
    {
        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        return new JsonlFileSink(path, delivery.KeyRecordTable, delivery.RunSummaryTable, delivery.KeyEventTable);
    }

    private static List<string> AccountIds(IEnumerable<string> values) =>
    [
        .. values
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal),
    ];
}
