using System.Text;
using System.Text.Json;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>One parsed JSON 1.1 call as the operation handlers see it.</summary>
internal sealed record JsonRequest(string Operation, JsonElement Input, string RequestId, DateTimeOffset Now, EmulatorSession Session)
{
    public string? GetString(string name) =>
        Input.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool Has(string name) => Input.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public QueryResponse Error(string code, string message, int statusCode = 400) => JsonResponse.Error(statusCode, code, message, RequestId);

    public QueryResponse InvalidInput(string reason, string message)
    {
        var response = JsonResponse.Error(400, "InvalidInputException", message, RequestId);
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

        return new QueryResponse(200, Encoding.UTF8.GetString(buffer.ToArray()), RequestId, ContentType: JsonResponse.ContentType);
    }
}

/// <summary>The JSON 1.1 answers: the content type, and errors as <c>{"__type": code, "Message": message}</c>.</summary>
internal static class JsonResponse
{
    public const string ContentType = "application/x-amz-json-1.1";

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
}
