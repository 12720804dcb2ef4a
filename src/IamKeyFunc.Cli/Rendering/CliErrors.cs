using System.Text.Json;
using System.Text.RegularExpressions;
using IamKeyFunc.Cli.Hosting;
using Spectre.Console;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>
/// The one place that turns a problem into what a user reads: one line that starts with <see cref="Prefix"/> and names
/// the cause, no stack trace, no <c>(Parameter 'x')</c> suffix, no token, no control character.
/// <c>--verbose</c> adds the full exception on the lines after it.
/// </summary>
internal static partial class CliErrors
{
    /// <summary>How every error line of <c>iamkeys</c> starts.</summary>
    public const string Prefix = "error: ";

    /// <summary><c>error: …</c>, on one line.</summary>
    public static string Line(string message) => Prefix + Clean(message);

    /// <summary>Writes one error line (plain text: nothing in it is markup).</summary>
    public static void Write(IAnsiConsole console, string message) => console.MarkupLine($"[red]error:[/] {Markup.Escape(Clean(message))}");

    /// <summary>One problem is one error line; several are a count and one indented line each, all of them at once.</summary>
    public static void WriteConfigurationFailures(IAnsiConsole console, IReadOnlyList<string> failures)
    {
        if (failures.Count == 1)
        {
            Write(console, $"Configuration is invalid: {failures[0]}");
            return;
        }

        Write(console, $"Configuration is invalid ({failures.Count} problems):");
        foreach (var failure in failures)
        {
            console.MarkupLine($"  - {Markup.Escape(Clean(failure))}");
        }
    }

    public static string Describe(Exception exception) => Clean(exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        _ when Find<JsonException>(exception) is { } json => $"{Sentence(exception.Message)}: {JsonReason(json)}",
        CliUserException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException => exception.Message,
        _ => $"{exception.Message} ({exception.GetType().Name}; --verbose shows the details)",
    });

    /// <summary>A message as one line: whitespace collapsed, <c>(Parameter 'x')</c> dropped, JWT-shaped text redacted, controls escaped (<see cref="TerminalText"/>).</summary>
    public static string Clean(string message) =>
        TerminalText.Safe(Whitespace().Replace(Jwt().Replace(ParameterSuffix().Replace(message, ""), "[redacted token]"), " ").Trim());

    /// <summary>"Expected end of string, but instead reached end of data at line 1, column 301." (the reader counts from 0).</summary>
    private static string JsonReason(JsonException json)
    {
        var reason = Sentence(JsonPosition().Replace(json.Message, ""));
        return json.LineNumber is { } line && json.BytePositionInLine is { } column
            ? $"{reason} at line {line + 1}, column {column + 1}."
            : reason + ".";
    }

    private static string Sentence(string message) => message.Trim().TrimEnd('.');

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex JsonPosition();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
