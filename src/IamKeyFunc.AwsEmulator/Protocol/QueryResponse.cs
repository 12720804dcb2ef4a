using System.Security;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>An answer: HTTP status and body (XML, or JSON for the JSON 1.1 services), or an aborted connection.</summary>
internal sealed record QueryResponse(int StatusCode, string Body, string RequestId, string? ErrorCode = null, bool Abort = false, string ContentType = "text/xml")
{
    public static QueryResponse Aborted { get; } = new(0, "", "", Abort: true);

    /// <summary>The Query-protocol error body: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;</c>.</summary>
    public static QueryResponse Error(AwsService service, int statusCode, string code, string message, string requestId)
    {
        var type = statusCode >= 500 ? "Receiver" : "Sender";
        var body = $"<ErrorResponse xmlns=\"{service.XmlNamespace}\"><Error><Type>{type}</Type><Code>{Escape(code)}</Code>" +
                   $"<Message>{Escape(message)}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>";
        return new QueryResponse(statusCode, body, requestId, code);
    }

    internal static string Escape(string value) => SecurityElement.Escape(value);
}
