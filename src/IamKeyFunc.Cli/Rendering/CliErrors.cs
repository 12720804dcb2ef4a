using System.Text.Json;
using System.Text.RegularExpressions;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>
/// The one place that turns an exception into what a user reads: one line naming the cause, no stack trace, no
/// <c>(Parameter 'x')</c> suffix, no token. <c>--verbose</c> adds the full exception on the lines after it.
/// </summary>
internal static partial class CliErrors
{
    public static string Describe(Exception exception) => Clean(exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        _ when Find<JsonException>(exception) is { } json => $"{Sentence(exception.Message)}: {JsonReason(json)}",
        CliUserException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException => exception.Message,
        _ => $"{exception.Message} ({exception.GetType().Name}; --verbose shows the details)",
    });

    /// <summary>A message as one line: whitespace collapsed, <c>(Parameter 'x')</c> dropped, JWT-shaped text redacted.</summary>
    public static string Clean(string message) =>
        Whitespace().Replace(Jwt().Replace(ParameterSuffix().Replace(message, ""), "[redacted token]"), " ").Trim();

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
