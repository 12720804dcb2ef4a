using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using IamKeyFunc.Testing.Azure;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Tests.Aws.Organizations;

/// <summary>One JSON 1.1 call as the loopback server received it.</summary>
internal sealed record JsonCall(string Target, string ContentType, string Authorization, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public string Operation => Target[(Target.LastIndexOf('.') + 1)..];

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>An answer the script gives: status, body, optional content type.</summary>
internal sealed record JsonReply(int Status, string Body, string ContentType = "application/x-amz-json-1.1");

/// <summary>A loopback HTTP server that answers Organizations calls from a script and records them (including the body).</summary>
internal sealed class ScriptedOrganizationsServer : LoopbackService
{
    private readonly Func<JsonCall, int, JsonReply> _script;
    private readonly ConcurrentQueue<JsonCall> _calls = new();
    private int _count;

    private ScriptedOrganizationsServer(Func<JsonCall, int, JsonReply> script) => _script = script;

    public IReadOnlyList<JsonCall> Calls => [.. _calls];

    /// <summary>Starts a server; the script sees each call and its 1-based index.</summary>
    public static async Task<ScriptedOrganizationsServer> StartAsync(Func<JsonCall, int, JsonReply> script)
    {
        var server = new ScriptedOrganizationsServer(script);
        await server.StartServerAsync(null, CancellationToken.None);
        return server;
    }

    public static JsonReply Ok(object body) => new(200, JsonSerializer.Serialize(body));

    public static JsonReply Error(string type, string message, int status = 400) => new(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["Message"] = message }));

    protected override async Task HandleAsync(HttpContext context)
    {
        var body = Encoding.UTF8.GetString(await ReadBodyAsync(context));
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var call = new JsonCall(
            headers.GetValueOrDefault("X-Amz-Target", ""),
            context.Request.ContentType ?? "",
            headers.GetValueOrDefault("Authorization", ""),
            body,
            headers);
        _calls.Enqueue(call);
        var reply = _script(call, Interlocked.Increment(ref _count));
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        context.Response.Headers["x-amzn-RequestId"] = $"req-{_count}";
        var bytes = Encoding.UTF8.GetBytes(reply.Body);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        Record(context, bytes.Length);
    }
}
