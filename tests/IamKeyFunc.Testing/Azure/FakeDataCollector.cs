using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Testing.Azure;

/// <summary>Settings of <see cref="FakeDataCollector"/>; the limits default to the documented ones.</summary>
public sealed class FakeDataCollectorOptions
{
    public string WorkspaceId { get; init; } = Guid.NewGuid().ToString();

    public int MaxPostBytes { get; set; } = 30_000_000;

    /// <summary>The real service truncates longer values; this fake refuses them (400 <c>InvalidDataFormat</c>) so a sink that sends one is caught.</summary>
    public int MaxFieldBytes { get; set; } = 32_000;

    /// <summary>How far <c>x-ms-date</c> may be from the fake's clock.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(15);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>One post as the fake saw it.</summary>
public sealed record DataCollectorPost(string? LogType, int Status, string? ErrorCode, string? Date, string? TimeGeneratedField, string? AzureResourceId, int BodyBytes, int Records);

/// <summary>
/// The HTTP Data Collector API (<c>POST /api/logs?api-version=2016-04-01</c>) over HTTPS. It recomputes the SharedKey
/// signature against the current workspace key from the headers as sent, and checks <c>Content-Type</c> is exactly
/// <c>application/json</c>, <c>Content-Length</c> is the byte count, <c>Log-Type</c>, <c>x-ms-date</c> freshness, the
/// 30 MB post limit and the 32 KB field limit. Answers like the service: 200; 403 <c>InvalidAuthorization</c>; 400 with
/// the documented codes; 404 for a post over the limit. Accepted records are kept per Log-Type.
/// Knobs: <see cref="LoopbackService.Faults"/> (429 with <c>Retry-After</c>, 500, 503, slow), <see cref="RotateKey"/> and
/// <see cref="RotateKeyAfterAcceptedPosts"/> (a key rotated mid-run).
/// </summary>
public sealed partial class FakeDataCollector : LoopbackService
{
    private readonly ConcurrentQueue<DataCollectorPost> _posts = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JsonElement>> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _keys = new();
    private readonly Lock _gate = new();
    private int _acceptedPosts;

    private FakeDataCollector(FakeDataCollectorOptions options)
    {
        Options = options;
        SharedKey = NewKey();
        _keys.Enqueue(SharedKey);
    }

    public FakeDataCollectorOptions Options { get; }

    public string WorkspaceId => Options.WorkspaceId;

    /// <summary>The current primary shared key (base64 of 64 random bytes).</summary>
    public string SharedKey { get; private set; }

    /// <summary>Every key this workspace has had (for asserting that none leaks into logs).</summary>
    public IReadOnlyList<string> AllKeys => [.. _keys];

    /// <summary>Raised with the new key after a rotation (so a vault can be updated, as an operator would).</summary>
    public event Action<string>? KeyRotated;

    /// <summary>When set, the key is rotated right after this many accepted posts (once), mid-run.</summary>
    public int? RotateKeyAfterAcceptedPosts { get; set; }

    public IReadOnlyList<DataCollectorPost> Posts => [.. _posts];

    public static async Task<FakeDataCollector> StartAsync(TestCertificate certificate, FakeDataCollectorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var collector = new FakeDataCollector(options ?? new FakeDataCollectorOptions());
        await collector.StartServerAsync(certificate, cancellationToken);
        return collector;
    }

    /// <summary>Regenerates the shared key; the old one stops working at once.</summary>
    public string RotateKey()
    {
        string key;
        lock (_gate)
        {
            key = NewKey();
            SharedKey = key;
            _keys.Enqueue(key);
        }

        KeyRotated?.Invoke(key);
        return key;
    }

    /// <summary>Accepted records of a log type (without <c>_CL</c>), as sent.</summary>
    public IReadOnlyList<JsonElement> Records(string logType) => _records.TryGetValue(logType, out var records) ? [.. records] : [];

    /// <summary>Accepted records of a log type as Log Analytics would store their columns (suffixed names).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Columns(string logType) => [.. Records(logType).Select(InferColumns)];

    /// <summary>
    /// The column names and values the Data Collector API creates from a record: strings <c>_s</c> (GUID-looking
    /// strings <c>_g</c>, ISO 8601 times <c>_t</c>), numbers <c>_d</c>, booleans <c>_b</c>; nulls are dropped.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonElement> InferColumns(JsonElement record)
    {
        var columns = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in record.EnumerateObject())
        {
            var suffix = property.Value.ValueKind switch
            {
                JsonValueKind.String when Guid.TryParseExact(property.Value.GetString(), "D", out _) => "_g",
                JsonValueKind.String when IsoDateTime().IsMatch(property.Value.GetString()!) => "_t",
                JsonValueKind.Number => "_d",
                JsonValueKind.True or JsonValueKind.False => "_b",
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => "_s",
            };
            if (suffix is not null)
            {
                columns[property.Name + suffix] = property.Value;
            }
        }

        return columns;
    }

    /// <summary>The signature the service expects for these request values under <paramref name="base64Key"/>.</summary>
    public static string ComputeSignature(string base64Key, string contentLength, string contentType, string date) =>
        Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(base64Key),
            Encoding.UTF8.GetBytes($"POST\n{contentLength}\n{contentType}\nx-ms-date:{date}\n/api/logs")));

    protected override async Task HandleAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var logType = context.Request.Headers["Log-Type"].ToString();
        var (status, code, message, retryAfter, records) = await CheckAsync(context, body, logType);
        if (status == 200)
        {
            context.Response.StatusCode = 200;
        }
        else
        {
            await WriteJsonAsync(context, status, new Dictionary<string, string> { ["Error"] = code!, ["Message"] = message! }, retryAfter);
        }

        _posts.Enqueue(new DataCollectorPost(
            string.IsNullOrEmpty(logType) ? null : logType,
            status,
            code,
            Header(context, "x-ms-date"),
            Header(context, "time-generated-field"),
            Header(context, "x-ms-AzureResourceId"),
            body.Length,
            records));
        Record(context, body.Length, code);

        if (status == 200 && Interlocked.Increment(ref _acceptedPosts) == RotateKeyAfterAcceptedPosts)
        {
            RotateKey();
        }
    }

    private async Task<(int Status, string? Code, string? Message, int? RetryAfter, int Records)> CheckAsync(HttpContext context, byte[] body, string logType)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.Path != "/api/logs")
        {
            return (404, "NotFound", "The URL is not a Data Collector API endpoint.", null, 0);
        }

        if (await Faults.ApplyAsync(context.RequestAborted, new FaultRequest(logType, () => Encoding.UTF8.GetString(body))) is { } fault)
        {
            AddFaultHeader(context, fault);
            var faultCode = fault.Status switch { 429 => "TooManyRequests", 503 => "ServiceUnavailable", _ => "UnspecifiedError" };
            var signature = request.Headers.Authorization.ToString();
            return (fault.Status, faultCode, fault.MessageFor(signature[(signature.LastIndexOf(':') + 1)..]), fault.RetryAfterSeconds, 0);
        }

        var apiVersion = request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            return Fail(400, "MissingApiVersion", "The API version wasn't specified.");
        }

        if (apiVersion != "2016-04-01")
        {
            return Fail(400, "InvalidApiVersion", "The API version that you specified wasn't recognized by the service.");
        }

        var contentType = request.Headers.ContentType.ToString();
        if (contentType.Length == 0)
        {
            return Fail(400, "MissingContentType", "The content type wasn't specified.");
        }

        if (contentType != "application/json")
        {
            return Fail(400, "UnsupportedContentType", $"The content type '{contentType}' is not exactly application/json.");
        }

        if (logType.Length == 0)
        {
            return Fail(400, "MissingLogType", "The required value log type wasn't specified.");
        }

        if (!LogTypePattern().IsMatch(logType))
        {
            return Fail(400, "InvalidLogType", "The log type contained special characters or numerics, or is over 100 characters.");
        }

        if (CheckAuthorization(request, body.Length) is { } authError)
        {
            return Fail(403, "InvalidAuthorization", authError);
        }

        if (body.Length > Options.MaxPostBytes)
        {
            return Fail(404, "NotFound", $"The request is too large: {body.Length} bytes, over the {Options.MaxPostBytes}-byte limit.");
        }

        return ParseRecords(body) switch
        {
            (null, var parsed) => Accept(logType, parsed!),
            (var error, _) => Fail(400, "InvalidDataFormat", error),
        };
    }

    private string? CheckAuthorization(HttpRequest request, int bodyLength)
    {
        var contentLength = request.Headers.ContentLength?.ToString(CultureInfo.InvariantCulture);
        if (contentLength != bodyLength.ToString(CultureInfo.InvariantCulture))
        {
            return $"Content-Length {contentLength ?? "(missing)"} is not the body's byte count {bodyLength}.";
        }

        var date = request.Headers["x-ms-date"].ToString();
        if (!DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent))
        {
            return "The x-ms-date header is missing or not an RFC 1123 date.";
        }

        if ((Options.TimeProvider.GetUtcNow() - sent).Duration() > Options.MaxClockSkew)
        {
            return $"The x-ms-date {date} is too far from the server time.";
        }

        var match = SharedKeyPattern().Match(request.Headers.Authorization.ToString());
        if (!match.Success)
        {
            return "An invalid scheme was specified in the Authorization header.";
        }

        if (!string.Equals(match.Groups["id"].Value, Options.WorkspaceId, StringComparison.OrdinalIgnoreCase))
        {
            return "The workspace ID in the Authorization header is not this workspace.";
        }

        string key;
        lock (_gate)
        {
            key = SharedKey;
        }

        var expected = ComputeSignature(key, contentLength!, "application/json", date);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(match.Groups["sig"].Value))
            ? null
            : "The signature does not match (wrong key or a request that differs from what was signed).";
    }

    private (string? Error, List<JsonElement>? Records) ParseRecords(byte[] body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return ($"The body is not valid JSON: {ex.Message}", null);
        }

        List<JsonElement> records = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root];
        foreach (var record in records)
        {
            if (record.ValueKind != JsonValueKind.Object)
            {
                return ("Every record must be a JSON object.", null);
            }

            foreach (var property in record.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && Encoding.UTF8.GetByteCount(property.Value.GetString()!) > Options.MaxFieldBytes)
                {
                    return ($"The value of field '{property.Name}' is over the {Options.MaxFieldBytes}-byte field limit.", null);
                }
            }
        }

        return (null, records);
    }

    private (int, string?, string?, int?, int) Accept(string logType, List<JsonElement> records)
    {
        var queue = _records.GetOrAdd(logType, _ => new ConcurrentQueue<JsonElement>());
        foreach (var record in records)
        {
            queue.Enqueue(record);
        }

        return (200, null, null, null, records.Count);
    }

    private static (int, string?, string?, int?, int) Fail(int status, string code, string message) => (status, code, message, null, 0);

    private static string? Header(HttpContext context, string name) =>
        context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    [GeneratedRegex("^[A-Za-z0-9_]{1,100}$")]
    private static partial Regex LogTypePattern();

    [GeneratedRegex(@"^SharedKey (?<id>[^:\s]+):(?<sig>[A-Za-z0-9+/=]+)$")]
    private static partial Regex SharedKeyPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoDateTime();
}
