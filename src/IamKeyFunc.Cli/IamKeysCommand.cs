using System.CommandLine;
using System.CommandLine.Help;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Cli.Hosting;
using IamKeyFunc.Cli.Rendering;

namespace IamKeyFunc.Cli;

/// <summary>The <c>iamkeys</c> command line: the same job, options and validation as the Function app, on a laptop.</summary>
internal static class IamKeysCommand
{
    public static RootCommand Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "A JSON settings file (same keys as appsettings.json: IamKey:Aws:RoleArn, ...); overrides appsettings.json and environment variables.",
            Recursive = true,
        };
        config.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !File.Exists(token.Value))
            {
                result.AddError(Directory.Exists(token.Value)
                    ? $"--config '{token.Value}' is a directory: give a JSON settings file."
                    : $"--config '{token.Value}' does not exist ({Path.GetFullPath(token.Value)}).");
            }
        });
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log at Information level on standard error, and show the full exception (stack trace) after an error's one-line message.",
            Recursive = true,
        };

        var root = new RootCommand("iamkeys: inventory of AWS IAM access keys (age, status, last use, findings), shipped to Azure Log Analytics or a JSONL file.")
        {
            config,
            verbose,
            CollectCommand.Create(config, verbose),
            AccountsCommand.Create(config),
            DemoCommand.Create(),
            ValidateConfigCommand.Create(config),
            EmulatorCommand.Create(),
        };
        root.SetAction(parse => new HelpAction().Invoke(parse)); // iamkeys alone: the commands, not an error
        PoliteAction.Wrap(root, verbose);
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A command line that does not parse (an unknown option, a bad value, a
    /// missing <c>--config</c> file) is one <c>error:</c> line per problem on standard error and exit code 1, without
    /// the help text: <c>--help</c> shows it.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parse = Create().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }

        var error = configuration.Error;
        foreach (var problem in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
        {
            await error.WriteLineAsync(CliErrors.Line(problem));
        }

        return ExitCodes.Failed;
    }
}
