using System.CommandLine;
using IamKeyFunc.Cli.Hosting;
using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Accounts.Discovery;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using Microsoft.Extensions.DependencyInjection;
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
        await using var services = CliHost.BuildServices(CliHost.BuildConfiguration(config), CliHost.QuietLogLevel);
        if (CliHost.Validate(services) is { Count: > 0 } failures)
        {
            CliErrors.WriteConfigurationFailures(CliConsole.Over(error), failures);
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
                table.AddRow(TerminalText.Markup(session.AccountId), TerminalText.Markup(session.RoleArn));
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
            CliErrors.Write(CliConsole.Over(error), $"AWS Organizations discovery with {source.CallerRoleArn} failed: {ex.ErrorCode}: {ex.Message}");
            return ExitCodes.Failed;
        }

        WriteDecisions(console, result, sessions);
        return ExitCodes.Succeeded;
    }

    internal static void WriteDecisions(IAnsiConsole console, DiscoveryResult result, AwsSessionProvider sessions)
    {
        var included = result.Decisions.Count(d => d.Included);
        console.MarkupLine(
            $"Organization {TerminalText.Markup(result.OrganizationId)}: {Counted.Of(result.Decisions.Count, "account")} discovered, {included} included, {result.Decisions.Count - included} excluded ({Counted.Of(result.TotalCalls, "Organizations call")}).");
        var table = new Table().AddColumns("Account", "Name", "Organizational unit", "State", "Decision", "Why");
        foreach (var decision in result.Decisions)
        {
            var account = decision.Account;
            table.AddRow(
                TerminalText.Markup(account.AccountId),
                TerminalText.Markup(account.Name),
                TerminalText.Markup(account.OrganizationalUnitPath),
                TerminalText.Markup(account.State),
                decision.Included ? "[green]included[/]" : "[yellow]excluded[/]",
                TerminalText.Markup(decision.Reason));
        }

        var outside = sessions.Sessions.Where(s => result.Decisions.All(d => d.Account.AccountId != s.AccountId)).ToList();
        foreach (var session in outside)
        {
            table.AddRow(TerminalText.Markup(session.AccountId), "", "(not in the organization)", "", "[green]included[/]", "Listed in the settings.");
        }

        console.Write(table);
    }
}
