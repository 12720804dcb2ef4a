using Spectre.Console;

namespace IamKeyFunc.Cli.Rendering;

internal static class CliConsole
{
    /// <summary>
    /// Line width when the output is not a terminal (a file, a pipe, a test), where Spectre would assume 80 columns and
    /// hard-wrap long lines (an AWS error message) into fragments that grep and log shippers cannot match: unbounded.
    /// </summary>
    private const int RedirectedWidth = int.MaxValue;

    /// <summary>
    /// A Spectre console over one of the invocation's writers (standard output or error; a <see cref="StringWriter"/> in
    /// tests). Colours only on a terminal: a file, a pipe or a test gets plain text.
    /// </summary>
    public static IAnsiConsole Over(TextWriter writer)
    {
        var terminal = (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected)
            || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
