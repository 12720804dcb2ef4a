using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Testing.Azure;

/// <summary>
/// Base of the Azure fakes: Kestrel on <c>127.0.0.1:0</c> (HTTPS when given a certificate) running one request
/// handler, recording every request and answering scripted faults.
/// </summary>
public abstract class LoopbackService : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication? _app;

    /// <summary>Base address, e.g. <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public FaultKnobs Faults { get; } = new();

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    protected async Task StartServerAsync(TestCertificate? certificate, CancellationToken cancellationToken)
    {
        (_app, Endpoint) = await LoopbackKestrel.StartAsync(HandleAsync, certificate?.Certificate, cancellationToken);
    }

    protected abstract Task HandleAsync(HttpContext context);

    /// <summary>Records the request with the status it got (call once per request, after answering).</summary>
    protected void Record(HttpContext context, int bodyLength, string? errorCode = null)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            headers,
            bodyLength,
            context.Response.StatusCode,
            errorCode));
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, if any.</summary>
    protected static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    /// <summary>Adds a fault's raw header to the answer (before its body is written).</summary>
    protected static void AddFaultHeader(HttpContext context, Fault fault)
    {
        if (fault.Header is { } header)
        {
            context.Response.Headers.Append(header.Name, header.Value);
        }
    }

    protected static async Task WriteJsonAsync(HttpContext context, int status, object body, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
