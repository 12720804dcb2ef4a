using System.Text.Json;
using IamKeyFunc.AwsEmulator.Organizations;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.State;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.AwsEmulator.Hosting;

/// <summary>
/// AWS JSON 1.1 calls (<c>POST /</c>, <c>X-Amz-Target: {prefix}.{Operation}</c>, <c>Content-Type:
/// application/x-amz-json-1.1</c>, a JSON object body): the Organizations operations. Applies latency, authentication
/// (SigV4, service <c>organizations</c>), the Organizations rate limit and injected faults in that order, and answers
/// errors as <c>{"__type": code, "Message": text}</c>.
/// </summary>
internal sealed class JsonDispatcher
{
    public const string TargetHeader = "X-Amz-Target";
    public const string ContentType = JsonResponse.ContentType;
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
            return JsonResponse.Error(400, "UnknownOperationException", $"Unknown operation {target}", requestId);
        }

        _state.Stats.Received(name);
        if (_state.Options.Latency is { } latency && latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _state.Time, context.RequestAborted).ConfigureAwait(false);
        }

        var now = _state.Time.GetUtcNow();
        if (!http.ContentType?.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase) ?? true)
        {
            return JsonResponse.Error(400, "SerializationException", $"Content-Type must be {ContentType}.", requestId);
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
            return JsonResponse.Error(400, "SerializationException", "The request body is not valid JSON.", requestId);
        }

        if (input.ValueKind != JsonValueKind.Object)
        {
            return JsonResponse.Error(400, "SerializationException", "The request body must be a JSON object.", requestId);
        }

        call.AccountId = session!.AccountId;
        _state.Stats.ForAccount(session.AccountId, name);
        if (_state.Options.OrganizationsRateLimit is { } limit && !_state.OrganizationsRateLimiter.TryTake(limit, _state.Time))
        {
            _state.Stats.Throttled();
            return JsonResponse.Error(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.", requestId);
        }

        if (_state.Options.Faults.Next(name, session.AccountId) is { } fault)
        {
            _state.Stats.Fault();
            return fault.Abort ? QueryResponse.Aborted : JsonResponse.Error(fault.StatusCode, fault.Code, fault.Message, requestId);
        }

        return operation(new JsonRequest(name, input, requestId, now, session));
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
        return JsonResponse.Error(status == 403 ? 400 : status, code, message, requestId, messageMember: "message");
    }
}
