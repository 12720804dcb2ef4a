using System.Globalization;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>The HTTP Data Collector API's SharedKey scheme, exactly as documented.</summary>
internal static class DataCollectorSignature
{
    public const string Resource = "/api/logs";
    public const string ContentType = "application/json";

    /// <summary><c>x-ms-date</c> in RFC 1123 form, e.g. <c>Mon, 14 Sep 2026 12:00:00 GMT</c>.</summary>
    public static string FormatDate(DateTimeOffset now) => now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary><c>POST\n{Content-Length}\napplication/json\nx-ms-date:{date}\n/api/logs</c>.</summary>
    public static string StringToSign(int contentLength, string date) =>
        string.Create(CultureInfo.InvariantCulture, $"POST\n{contentLength}\n{ContentType}\nx-ms-date:{date}\n{Resource}");

    /// <summary>The <c>Authorization</c> header value: <c>SharedKey {workspaceId}:{Base64(HMAC-SHA256(key, UTF8(stringToSign)))}</c>.</summary>
    public static string Authorization(string workspaceId, WorkspaceKey key, int contentLength, string date) =>
        $"SharedKey {workspaceId}:{key.Sign(StringToSign(contentLength, date))}";
}
