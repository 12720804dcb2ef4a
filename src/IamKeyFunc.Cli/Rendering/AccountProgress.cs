using System.Globalization;
using IamKeyFunc.Reporting.Records;
using Spectre.Console;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>One line per account as it completes (<see cref="Reporting.Runs.RunRequest.Progress"/>), written synchronously in completion order.</summary>
internal sealed class AccountProgress(IAnsiConsole console) : IProgress<RunSummary>
{
    private readonly Lock _gate = new();

    public void Report(RunSummary value)
    {
        var account = Account(value);
        var line = Enum.Parse<AccountStatus>(value.Status) switch
        {
            AccountStatus.Succeeded => string.Create(CultureInfo.InvariantCulture,
                $"[green]ok[/]      {account}  {TerminalText.Markup(value.Mode)}  {Counted.Of(value.UsersScanned, "user")}, {Counted.Of(value.KeysReported, "key")}, {Counted.Of(value.FindingsCount, "finding")}, {Counted.Of(value.ApiCalls, "call")}, {value.DurationMs / 1000:F1} s"),
            AccountStatus.Skipped => $"[grey]skipped[/] {account}  {TerminalText.Markup(value.ErrorCode)}",
            _ => $"[red]failed[/]  {account}  {TerminalText.Markup(value.ErrorCode ?? "Error")}: {TerminalText.Markup(CliErrors.Clean(value.ErrorMessage ?? ""))}",
        };

        lock (_gate)
        {
            console.MarkupLine(line.TrimEnd());
        }
    }

    /// <summary>
    /// <c>444455556666 (example-prod)</c>: the account and its alias, or its name in AWS Organizations when the alias is
    /// unknown (an account that was not collected); the bare ID when neither is known.
    /// </summary>
    internal static string Account(RunSummary value) =>
        (value.AccountAlias ?? value.AccountName) is { Length: > 0 } name
            ? $"{TerminalText.Markup(value.AccountId)} ({TerminalText.Markup(name)})"
            : TerminalText.Markup(value.AccountId);
}
