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
        var account = $"{value.AccountId} ({Markup.Escape(value.AccountAlias ?? "no alias")})";
        var line = Enum.Parse<AccountStatus>(value.Status) switch
        {
            AccountStatus.Succeeded => string.Create(CultureInfo.InvariantCulture,
                $"[green]ok[/]      {account}  {value.Mode}  {value.UsersScanned} users, {value.KeysReported} keys, {value.FindingsCount} findings, {value.ApiCalls} calls, {value.DurationMs / 1000:F1} s"),
            AccountStatus.Skipped => $"[grey]skipped[/] {account}",
            _ => $"[red]failed[/]  {account}  {Markup.Escape(value.ErrorCode ?? "Error")}: {Markup.Escape(CliErrors.Clean(value.ErrorMessage ?? ""))}",
        };

        lock (_gate)
        {
            console.MarkupLine(line);
        }
    }
}
