using System.Text;
using System.Text.Json;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// The AWS JSON 1.1 protocol (Organizations and others) on <see cref="AwsRequestPipeline"/>: <c>POST /</c> with
/// <c>X-Amz-Target: {TargetPrefix}.{Operation}</c> and <c>Content-Type: application/x-amz-json-1.1</c>; a success is a
/// JSON object; an error is <c>{"__type": "...", "message": "..."}</c> (the code is the part after any <c>#</c> and
/// before any <c>:</c>, as the SDKs read it).
/// </summary>
/// <param name="serviceName">How the service appears in messages, e.g. <c>Organizations</c>.</param>
/// <param name="targetPrefix">The <c>X-Amz-Target</c> prefix, e.g. <c>AWSOrganizationsV20161128</c>.</param>
/// <param name="createException">Builds the service's own exception from the failure and its redacted message.</param>
public sealed class AwsJson11Protocol(string serviceName, string targetPrefix, Func<AwsFailure, string, ServiceException> createException) : IAwsProtocol
{
    public const string ContentType = "application/x-amz-json-1.1";

    public string ServiceName { get; } = serviceName;

    /// <summary>A request for <paramref name="operation"/> with <paramref name="json"/> (an object; <c>{}</c> when there are no parameters).</summary>
    public AwsRequest Request(string operation, string json = "{}") =>
        new(operation, Encoding.UTF8.GetBytes(json), ContentType, [new("X-Amz-Target", $"{targetPrefix}.{operation}")]);

    public AwsError? ReadError(string operation, int status, string body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return status is >= 200 and < 300
                ? new AwsError(AwsPipelineErrorCodes.InvalidResponse, $"The {operation} answer is not JSON: {ex.Message}")
                : new AwsError(StatusCode(status), $"Non-JSON error body: {body}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return new AwsError(AwsPipelineErrorCodes.InvalidResponse, $"The {operation} answer is a JSON {root.ValueKind}, not an object.");
        }

        string? type = Text(root, "__type");
        if (status is >= 200 and < 300)
        {
            return type is null ? null : new AwsError(AwsPipelineErrorCodes.InvalidResponse, $"The {operation} answer is an error document ({Code(type)}) sent with {status}.");
        }

        return new AwsError(type is null ? StatusCode(status) : Code(type), Text(root, "message") ?? Text(root, "Message"));
    }

    public ServiceException CreateException(AwsFailure failure, string message) => createException(failure, message);

    /// <summary><c>com.amazonaws.organizations#AccessDeniedException:http://...</c> → <c>AccessDeniedException</c>.</summary>
    internal static string Code(string type)
    {
        int hash = type.LastIndexOf('#');
        string code = hash >= 0 ? type[(hash + 1)..] : type;
        int colon = code.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? code[..colon] : code;
    }

    private static string StatusCode(int status) =>
        Enum.IsDefined((System.Net.HttpStatusCode)status) ? ((System.Net.HttpStatusCode)status).ToString() : $"Http{status}";

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
