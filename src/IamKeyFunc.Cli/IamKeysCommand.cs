using System.CommandLine;
using IamKeyFunc.Cli.Commands;

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
        config.AcceptExistingOnly();
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
            DemoCommand.Create(),
            ValidateConfigCommand.Create(config),
            EmulatorCommand.Create(),
        };
        PoliteAction.Wrap(root, verbose);
        return root;
    }
}
