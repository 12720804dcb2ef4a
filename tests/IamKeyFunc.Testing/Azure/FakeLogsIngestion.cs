using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Testing.Azure;

/// <summary>Settings of <see cref="FakeLogsIngestion"/>.</summary>
public sealed class FakeLogsIngestionOptions
{
    public string DcrImmutableId { get; init; } = "dcr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public IReadOnlySet<string> Streams { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "Custom-AwsAccessKeyReport", "Custom-AwsAccessKeyRunSummary", "Custom-AwsAccessKeyEvents" };

    /// <summary>Tokens must carry this audience (with or without a trailing slash).</summary>
    public string Audience { get; init; } = "https://monitor.azure.com";

    /// <summary>Largest body as sent (compressed when gzip).</summary>
    public int MaxRequestBytes { get; set; } = 1_000_000;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>One upload as the fake saw it.</summary>
public sealed record LogsIngestionPost(string? Stream, int Status, string? ErrorCode, string? ContentEncoding, int BodyBytes, int UncompressedBytes, int Records, string? ClientRequestId);

/// <summary>
/// The Logs Ingestion API (<c>POST /dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01</c>) over HTTPS:
/// checks the bearer token's audience and expiry, the DCR immutable ID and stream name, <c>Content-Type</c>, gzip
/// decoding and the 1 MB limit on the body as sent; answers 204 and keeps the records per stream; errors come as
/// <c>{"error":{"code","message"}}</c> with <c>x-ms-error-code</c> and <c>x-ms-request-id</c>.
/// Knobs: <see cref="LoopbackService.Faults"/> (429 with <c>Retry-After</c>, 500, 503, slow).
/// </summary>
public sealed class FakeLogsIngestion : LoopbackService
{
    private readonly ConcurrentQueue<LogsIngestionPost> _posts = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JsonElement>> _records = new(StringComparer.Ordinal);

    private FakeLogsIngestion(FakeLogsIngestionOptions options) => Options = options;

    public FakeLogsIngestionOptions Options { get; }

    public string DcrImmutableId => Options.DcrImmutableId;

    public IReadOnlyList<LogsIngestionPost> Posts => [.. _posts];

    public static async Task<FakeLogsIngestion> StartAsync(TestCertificate certificate, FakeLogsIngestionOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ingestion = new FakeLogsIngestion(options ?? new FakeLogsIngestionOptions());
        await ingestion.StartServerAsync(certificate, cancellationToken);
        return ingestion;
    }

    public IReadOnlyList<JsonElement> Records(string stream) => _records.TryGetValue(stream, out var records) ? [.. records] : [];

    protected override async Task HandleAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        var stream = segments is ["dataCollectionRules", _, "streams", var s] ? s : null;
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        var (status, code, message, retryAfter, uncompressed, records) = await CheckAsync(context, body, segments, stream, encoding);

        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        if (status == 204)
        {
            context.Response.StatusCode = 204;
        }
        else
        {
            context.Response.Headers["x-ms-error-code"] = code;
            await WriteJsonAsync(context, status, new Dictionary<string, object> { ["error"] = new Dictionary<string, string> { ["code"] = code!, ["message"] = message! } }, retryAfter);
        }

        _posts.Enqueue(new LogsIngestionPost(stream, status, code, encoding.Length == 0 ? null : encoding, body.Length, uncompressed, records, context.Request.Headers["x-ms-client-request-id"].ToString()));
        Record(context, body.Length, code);
    }

    private async Task<(int Status, string? Code, string? Message, int? RetryAfter, int Uncompressed, int Records)> CheckAsync(
        HttpContext context, byte[] body, string[] segments, string? stream, string encoding)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || stream is null)
        {
            return Fail(404, "NotFound", "The URL is not a Logs Ingestion upload endpoint.");
        }

        if (FakeJwt.Check(BearerToken(request), Options.Audience, Options.TimeProvider.GetUtcNow()) is { } reason)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Fail(401, "InvalidAuthenticationToken", $"The access token is invalid: {reason}.");
        }

        if (await Faults.ApplyAsync(context.RequestAborted, new FaultRequest(stream, () => Encoding.UTF8.GetString(encoding == "gzip" ? Gunzip(body) : body))) is { } fault)
        {
            AddFaultHeader(context, fault);
            return (fault.Status, fault.Status == 429 ? "TooManyRequests" : "ServiceUnavailable", fault.MessageFor(BearerToken(request) ?? ""), fault.RetryAfterSeconds, 0, 0);
        }

        if (request.Query["api-version"] != "2023-01-01")
        {
            return Fail(400, "InvalidApiVersion", "The api-version must be 2023-01-01.");
        }

        if (!string.Equals(segments[1], Options.DcrImmutableId, StringComparison.Ordinal))
        {
            return Fail(404, "NotFound", $"Data collection rule with immutable Id '{segments[1]}' not found.");
        }

        if (!Options.Streams.Contains(stream))
        {
            return Fail(400, "InvalidStream", $"Stream '{stream}' is not declared in the data collection rule.");
        }

        if (request.Headers.ContentType.ToString() is not ("application/json" or "application/json; charset=utf-8"))
        {
            return Fail(415, "UnsupportedMediaType", "Content-Type must be application/json.");
        }

        if (body.Length > Options.MaxRequestBytes)
        {
            return Fail(413, "ContentLengthLimitExceeded", $"The request body is {body.Length} bytes, over the {Options.MaxRequestBytes}-byte limit.");
        }

        byte[] json;
        try
        {
            json = encoding switch
            {
                "" => body,
                "gzip" => Gunzip(body),
                _ => throw new InvalidDataException($"Content-Encoding '{encoding}' is not supported."),
            };
        }
        catch (InvalidDataException ex)
        {
            return Fail(400, "InvalidContentEncoding", ex.Message);
        }

        List<JsonElement> records;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.Object))
            {
                return Fail(400, "InvalidPayload", "The body must be a JSON array of objects.");
            }

            records = [.. document.RootElement.Clone().EnumerateArray()];
        }
        catch (JsonException ex)
        {
            return Fail(400, "InvalidPayload", $"The body is not valid JSON: {ex.Message}");
        }

        var queue = _records.GetOrAdd(stream, _ => new ConcurrentQueue<JsonElement>());
        foreach (var record in records)
        {
            queue.Enqueue(record);
        }

        return (204, null, null, null, json.Length, records.Count);
    }

    private static (int, string?, string?, int?, int, int) Fail(int status, string code, string message) => (status, code, message, null, 0, 0);

    private static byte[] Gunzip(byte[] body)
    {
        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
