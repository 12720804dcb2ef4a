using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Testing.Azure;

/// <summary>One captured log entry: formatted message, exception text and scopes included.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception);

/// <summary>
/// An <see cref="ILoggerProvider"/> that keeps every entry at every level (message, structured values, scopes and
/// exception text), for tests that assert what was logged, or that no secret was.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>Everything captured as one string.</summary>
    public string AllText
    {
        get
        {
            var text = new StringBuilder();
            foreach (var entry in _entries)
            {
                text.Append(entry.Category).Append(' ').Append(entry.Level).Append(' ').AppendLine(entry.Message);
                if (entry.Exception is not null)
                {
                    text.AppendLine(entry.Exception);
                }
            }

            return text.ToString();
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = new StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    message.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            capture._scopes.ForEachScope((scope, builder) => builder.Append(" | scope=").Append(scope), message);
            capture._entries.Enqueue(new CapturedLog(category, logLevel, message.ToString(), exception?.ToString()));
        }
    }
}
