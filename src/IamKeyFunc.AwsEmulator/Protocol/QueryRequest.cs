namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>One parsed Query-protocol call as the operation handlers see it.</summary>
internal sealed class QueryRequest(AwsService service, string action, IReadOnlyDictionary<string, string> parameters, string requestId, DateTimeOffset now)
{
    public AwsService Service { get; } = service;

    public string Action { get; } = action;

    public string RequestId { get; } = requestId;

    /// <summary>The emulator's time when the call arrived.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>The authenticated session (signed operations only).</summary>
    public EmulatorSession? Session { get; set; }

    public string? Get(string name) => parameters.TryGetValue(name, out var value) ? value : null;

    public QueryResponse Error(int statusCode, string code, string message) => QueryResponse.Error(Service, statusCode, code, message, RequestId);

    public QueryResponse ValidationError(string message) => Error(400, "ValidationError", message);

    /// <summary>A required parameter, or the AWS-style validation error when absent.</summary>
    public bool TryRequire(string name, out string value, out QueryResponse? error)
    {
        value = Get(name) ?? "";
        error = value.Length > 0
            ? null
            : ValidationError($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");
        return error is null;
    }

    public XmlResponseBuilder Respond() => new(Service, Action);
}
