using System.CommandLine;
using System.CommandLine.Invocation;
using IamKeyFunc.Cli.Rendering;

namespace IamKeyFunc.Cli;

/// <summary>
/// Wraps a command's action so that whatever it throws reaches the user as one line on standard error with exit code
/// 1 (the full exception only with <c>--verbose</c>), and a cancellation (Ctrl-C, SIGTERM) as "cancelled" with 130.
/// </summary>
internal sealed class PoliteAction(AsynchronousCommandLineAction inner, Option<bool> verbose) : AsynchronousCommandLineAction
{
    public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await inner.InvokeAsync(parseResult, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"{parseResult.CommandResult.Command.Name} cancelled (Ctrl-C or SIGTERM); the output file keeps only whole lines.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"error: {CliErrors.Describe(ex)}");
            if (parseResult.GetValue(verbose))
            {
                await error.WriteLineAsync(ex.ToString());
            }

            return ExitCodes.Failed;
        }
    }

    /// <summary>Wraps the action of every subcommand of <paramref name="root"/>.</summary>
    public static void Wrap(Command root, Option<bool> verbose)
    {
        foreach (var command in root.Subcommands)
        {
            if (command.Action is AsynchronousCommandLineAction action)
            {
                command.Action = new PoliteAction(action, verbose);
            }
        }
    }
}
