using System.Text;
using System.Text.Json;
using IamKeyFunc.AwsEmulator.Organizations;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>
/// AWS JSON 1.1 calls (<c>POST /</c>, <c>X-Amz-Target: {prefix}.{Operation}</c>, <c>Content-Type:
/// application/x-amz-json-1.1</c>, a JSON object body): the Organizations operations. Applies latency, authentication
/// (SigV4, service <c>organizations</c>), the Organizations rate limit and injected faults in that order, and answers
/// errors as <c>{"__type": code, "Message": text}</c>.
/// </summary>
internal sealed class JsonDispatcher
{
    public const string TargetHeader = "X-Amz-Target";
    public const string ContentType = "application/x-amz-json-1.1";
    public const string OrganizationsTargetPrefix = "AWSOrganizationsV20161128";

    private readonly EmulatorState _state;
    private readonly RequestAuthenticator _authenticator;
    private readonly Dictionary<string, Func<JsonRequest, QueryResponse>> _operations;

    public JsonDispatcher(EmulatorState state, RequestAuthenticator authenticator)
    {
        _state = state;
        _authenticator = authenticator;
        var organizations = new OrganizationsOperations(state);
        _operations = new Dictionary<string, Func<JsonRequest, QueryResponse>>(StringComparer.Ordinal)
        {
            ["DescribeOrganization"] = organizations.DescribeOrganization,
            ["ListRoots"] = organizations.ListRoots,
            ["ListOrganizationalUnitsForParent"] = organizations.ListOrganizationalUnitsForParent,
            ["ListAccountsForParent"] = organizations.ListAccountsForParent,
            ["ListAccounts"] = organizations.ListAccounts,
            ["ListTagsForResource"] = organizations.ListTagsForResource,
        };
    }

    public async Task<QueryResponse> ProcessAsync(HttpContext context, byte[] body, QueryDispatcher.CallInfo call)
    {
        var http = context.Request;
        var requestId = Guid.NewGuid().ToString();
        var target = http.Headers[TargetHeader].ToString();
        var dot = target.LastIndexOf('.');
        var name = dot < 0 ? "" : target[(dot + 1)..];
        call.Action = name;
        if (dot < 0 || !string.Equals(target[..dot], OrganizationsTargetPrefix, StringComparison.Ordinal) || !_operations.TryGetValue(name, out var operation))
        {
            return Error(400, "UnknownOperationException", $"Unknown operation {target}", requestId);
        }

        _state.Stats.Received(name);
        if (_state.Options.Latency is { } latency && latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _state.Time, context.RequestAborted).ConfigureAwait(false);
        }

        var now = _state.Time.GetUtcNow();
        if (!http.ContentType?.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase) ?? true)
        {
            return Error(400, "SerializationException", $"Content-Type must be {ContentType}.", requestId);
        }

        if (_authenticator.Authenticate(http, body, AwsService.Organizations, now, (status, code, message) => AuthError(status, code, message, requestId), out var session) is { } authError)
        {
            _state.Stats.RejectedSignature();
            return authError;
        }

        JsonElement input;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
            input = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error(400, "SerializationException", "The request body is not valid JSON.", requestId);
        }

        if (input.ValueKind != JsonValueKind.Object)
        {
            return Error(400, "SerializationException", "The request body must be a JSON object.", requestId);
        }

        call.AccountId = session!.AccountId;
        _state.Stats.ForAccount(session.AccountId, name);
        if (_state.Options.OrganizationsRateLimit is { } limit && !_state.OrganizationsRateLimiter.TryTake(limit, _state.Time))
        {
            _state.Stats.Throttled();
            return Error(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.", requestId);
        }

        if (_state.Options.Faults.Next(name, session.AccountId) is { } fault)
        {
            _state.Stats.Fault();
            return fault.Abort ? QueryResponse.Aborted : Error(fault.StatusCode, fault.Code, fault.Message, requestId);
        }

        return operation(new JsonRequest(name, input, requestId, now, session));
    }

    public static QueryResponse Error(int statusCode, string code, string message, string requestId, string messageMember = "Message")
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", code);
            writer.WriteString(messageMember, message);
            writer.WriteEndObject();
        }

        return new QueryResponse(statusCode, Encoding.UTF8.GetString(buffer.ToArray()), requestId, code, ContentType: ContentType);
    }

    /// <summary>The JSON protocol's names for the authentication failures (HTTP 400, lower-case <c>message</c>, as AWS answers them).</summary>
    private static QueryResponse AuthError(int status, string queryCode, string message, string requestId)
    {
        var code = queryCode switch
        {
            "MissingAuthenticationToken" => "MissingAuthenticationTokenException",
            "InvalidClientTokenId" => "UnrecognizedClientException",
            "ExpiredToken" => "ExpiredTokenException",
            "SignatureDoesNotMatch" => "InvalidSignatureException",
            "IncompleteSignature" => "IncompleteSignatureException",
            _ => queryCode,
        };
        return Error(status == 403 ? 400 : status, code, message, requestId, messageMember: "message");
    }
}

/// <summary>One parsed JSON 1.1 call as the operation handlers see it.</summary>
internal sealed record JsonRequest(string Operation, JsonElement Input, string RequestId, DateTimeOffset Now, EmulatorSession Session)
{
    public string? GetString(string name) =>
        Input.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool Has(string name) => Input.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public QueryResponse Error(string code, string message, int statusCode = 400) => JsonDispatcher.Error(statusCode, code, message, RequestId);

    public QueryResponse InvalidInput(string reason, string message)
    {
        var response = JsonDispatcher.Error(400, "InvalidInputException", message, RequestId);
        return response with { Body = response.Body[..^1] + $",\"Reason\":\"{reason}\"}}" };
    }

    public QueryResponse Ok(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return new QueryResponse(200, Encoding.UTF8.GetString(buffer.ToArray()), RequestId, ContentType: JsonDispatcher.ContentType);
    }
}
