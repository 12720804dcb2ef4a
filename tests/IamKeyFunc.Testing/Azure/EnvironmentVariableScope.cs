namespace IamKeyFunc.Testing.Azure;

/// <summary>
/// Sets process environment variables and restores the previous values on dispose. Environment variables are
/// process-wide, so scopes are serialized by one process-wide gate: a second scope waits until the first is disposed.
/// Use it for every test that sets <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c> (or any env-based config).
/// </summary>
public sealed class EnvironmentVariableScope : IDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly Dictionary<string, string?> _previous;
    private bool _disposed;

    private EnvironmentVariableScope(Dictionary<string, string?> previous) => _previous = previous;

    /// <summary>Waits for the gate, then sets the variables (a null value removes one).</summary>
    public static async Task<EnvironmentVariableScope> SetAsync(IReadOnlyDictionary<string, string?> variables, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        var previous = new Dictionary<string, string?>();
        foreach (var (name, value) in variables)
        {
            previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        return new EnvironmentVariableScope(previous);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Gate.Release();
    }
}
