using Spectre.Console;

namespace IamKeyFunc.Cli.Rendering;

internal static class CliConsole
{
    /// <summary>Line width when the output is not a terminal (a file, a pipe, a test), where Spectre would assume 80 columns.</summary>
    private const int RedirectedWidth = 160;

    /// <summary>A Spectre console over one of the invocation's writers (standard output or error; a <see cref="StringWriter"/> in tests).</summary>
    public static IAnsiConsole Over(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
        });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
