using System.CommandLine;
using IamKeyFunc.Cli.Hosting;
using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Accounts.Discovery;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys accounts</c>: the accounts a run would cover and why, without collecting. With
/// <c>IamKey:Aws:Discovery:Source = Organizations</c> it walks the organization once and prints every account found, where
/// it sits, and what the filters decided (included, or excluded and why); with <c>Static</c>, the configured accounts.
/// Only AWS Organizations (and STS) is called; IAM is not.
/// </summary>
internal static class AccountsCommand
{
    public static Command Create(Option<FileInfo> config)
    {
        var command = new Command("accounts", "List the accounts a run would collect (AWS Organizations discovery and its filter decisions, or the configured list), without collecting.");
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(FileInfo? config, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var services = CliHost.BuildServices(CliHost.BuildConfiguration(config), LogLevel.Error);
        if (CliHost.Validate(services) is { Count: > 0 } failures)
        {
            ValidateConfigCommand.WriteFailures(CliConsole.Over(error), failures);
            return ExitCodes.Failed;
        }

        var console = CliConsole.Over(output);
        var sessions = services.GetRequiredService<AwsSessionProvider>();
        if (services.GetRequiredService<IOptions<DiscoveryOptions>>().Value.Source != DiscoverySource.Organizations)
        {
            console.MarkupLine("Accounts from the settings (IamKey:Aws:Discovery:Source is Static):");
            var table = new Table().AddColumns("Account", "Role");
            foreach (var session in sessions.Sessions)
            {
                table.AddRow(Markup.Escape(session.AccountId), Markup.Escape(session.RoleArn));
            }

            console.Write(table);
            return ExitCodes.Succeeded;
        }

        var source = services.GetRequiredService<OrganizationsAccountSource>();
        DiscoveryResult result;
        try
        {
            result = await source.DiscoverAsync(cancellationToken);
        }
        catch (ServiceException ex) when (!cancellationToken.IsCancellationRequested)
        {
            CliConsole.Over(error).MarkupLineInterpolated($"[red]AWS Organizations discovery with {source.CallerRoleArn} failed: {ex.ErrorCode}: {CliErrors.Clean(ex.Message)}[/]");
            return ExitCodes.Failed;
        }

        WriteDecisions(console, result, sessions);
        return ExitCodes.Succeeded;
    }

    internal static void WriteDecisions(IAnsiConsole console, DiscoveryResult result, AwsSessionProvider sessions)
    {
        var included = result.Decisions.Count(d => d.Included);
        console.MarkupLineInterpolated(
            $"Organization {result.OrganizationId}: {result.Decisions.Count} accounts discovered, {included} included, {result.Decisions.Count - included} excluded ({result.TotalCalls} Organizations calls).");
        var table = new Table().AddColumns("Account", "Name", "Organizational unit", "State", "Decision", "Why");
        foreach (var decision in result.Decisions)
        {
            var account = decision.Account;
            table.AddRow(
                Markup.Escape(account.AccountId),
                Markup.Escape(account.Name),
                Markup.Escape(account.OrganizationalUnitPath),
                Markup.Escape(account.State),
                decision.Included ? "[green]included[/]" : "[yellow]excluded[/]",
                Markup.Escape(decision.Reason));
        }

        var outside = sessions.Sessions.Where(s => result.Decisions.All(d => d.Account.AccountId != s.AccountId)).ToList();
        foreach (var session in outside)
        {
            table.AddRow(Markup.Escape(session.AccountId), "", "(not in the organization)", "", "[green]included[/]", "Listed in the settings.");
        }

        console.Write(table);
    }
}
