using System.CommandLine;
using System.Runtime.InteropServices;

namespace IamKeyFunc.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // Ctrl-C and SIGTERM cancel the command, which then closes its output (whole lines only) and exits 130; a
        // second signal ends the process at once. System.CommandLine's own handler would exit after 2 s, mid-write.
        using var cancellation = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Cancel(context, cancellation));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Cancel(context, cancellation));
        return await IamKeysCommand.InvokeAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellation.Token);
    }

    private static void Cancel(PosixSignalContext context, CancellationTokenSource cancellation)
    {
        context.Cancel = !cancellation.IsCancellationRequested;
        cancellation.Cancel();
    }
}
