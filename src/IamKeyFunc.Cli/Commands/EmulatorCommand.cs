using System.CommandLine;
using IamKeyFunc.AwsEmulator;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys emulator</c>: the loopback AWS emulator on a fixed port (5599) for <c>func start</c> or <c>iamkeys collect</c>
/// debugging, with the settings to use. Arguments are passed to the emulator (<c>--port</c>, <c>--scenario</c>, <c>--tenant-id</c>, ...).
/// </summary>
internal static class EmulatorCommand
{
    public static Command Create()
    {
        var command = new Command(
            "emulator",
            "Run the loopback AWS emulator (STS + IAM) with the sample organization and print the settings to point the Function or the CLI at it. Ctrl+C stops it. " +
            "Emulator options: --port N (default 5599), --scenario FILE, --accounts N --users M [--seed S], --save-scenario FILE, " +
            "--tenant-id ID --app-id GUID --subject OID, --latency-ms N, --rate N, --report-delay-seconds N.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var args = parse.UnmatchedTokens.ToList();
            await output.WriteLineAsync(Preamble);
            args.Add("--print-token");

            return await EmulatorHost.RunAsync([.. args], output, cancellationToken);
        });
        return command;
    }

    internal const string Preamble = """
        To run the Function (func start) or iamkeys collect against this emulator with no Azure or AWS account, also set
          IamKey__Identity__DevelopmentToken=<the test token printed below>
          IamKey__Delivery__Sink=None        (or use iamkeys collect --output report.jsonl)
        The development token only answers the AWS audience; Key Vault and Logs Ingestion still need a real identity.

        """;
}
