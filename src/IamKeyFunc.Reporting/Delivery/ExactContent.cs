using System.Net.Http.Headers;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>Helpers for request content sent exactly as given.</summary>
internal static class ExactContent
{
    /// <summary><c>application/json</c> with no charset parameter (the Data Collector signature covers the exact header value).</summary>
    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = body.Length;
        return content;
    }
}
