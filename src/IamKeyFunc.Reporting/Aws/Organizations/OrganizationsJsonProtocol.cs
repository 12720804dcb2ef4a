using System.Text.Json;
using IamKeyFunc.Reporting.Aws.Pipeline;

namespace IamKeyFunc.Reporting.Aws.Organizations;

/// <summary>
/// AWS JSON 1.1 as Organizations speaks it: an answer is a JSON object; an error is a JSON object whose <c>__type</c>
/// (possibly <c>namespace#Code</c> or <c>Code:uri</c>) names the code and whose <c>Message</c> (or <c>message</c>) explains it.
/// A 2xx that is not a JSON object is <c>InvalidResponse</c>, never an empty result.
/// </summary>
internal sealed class OrganizationsJsonProtocol : IAwsProtocol
{
    public const string ContentType = "application/x-amz-json-1.1";
    public const string TargetPrefix = "AWSOrganizationsV20161128";

    public static readonly OrganizationsJsonProtocol Instance = new();

    public string ServiceName => "Organizations";

    public AwsError? ReadError(string operation, int status, string body)
    {
        var parsed = TryParseObject(body);
        if (status is >= 200 and < 300)
        {
            return parsed is null ? new AwsError(AwsPipelineErrorCodes.InvalidResponse, $"The {operation} answer is not a JSON object.") : null;
        }

        if (parsed is { } error && Member(error, "__type") is { Length: > 0 } type)
        {
            return new AwsError(NormalizeCode(type), Member(error, "Message") ?? Member(error, "message"));
        }

        var code = Enum.IsDefined((System.Net.HttpStatusCode)status) ? ((System.Net.HttpStatusCode)status).ToString() : $"Http{status}";
        return new AwsError(code, $"Not an AWS JSON error body: {(string.IsNullOrWhiteSpace(body) ? "(empty)" : body)}");
    }

    public ServiceException CreateException(AwsFailure failure, string message) =>
        new OrganizationsException(message, failure.Code, failure.Status, failure.RequestId, failure.Operation, failure.Attempts, failure.Exception);

    /// <summary><c>aws.organizations#AccessDeniedException</c> and <c>AccessDeniedException:http://…</c> are <c>AccessDeniedException</c>.</summary>
    internal static string NormalizeCode(string type)
    {
        var code = type[(type.LastIndexOf('#') + 1)..];
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        return (colon >= 0 ? code[..colon] : code).Trim();
    }

    private static JsonElement? TryParseObject(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
