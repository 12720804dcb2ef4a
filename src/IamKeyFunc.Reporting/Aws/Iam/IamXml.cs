using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// Reads IAM Query API responses by element local name, so namespaces and element order do not matter.
/// Shapes follow the IAM model (<c>iam/service-2.json</c>); lists are <c>&lt;member&gt;</c> elements.
/// </summary>
internal static class IamXml
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
    };

    public static XElement Load(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), ReaderSettings);
        return XDocument.Load(reader).Root ?? throw new XmlException("The document has no root element.");
    }

    /// <summary>True when <paramref name="root"/> is the answer to <paramref name="action"/>: <c>{Action}Response</c> or a bare <c>{Action}Result</c>.</summary>
    public static bool IsAnswer(XElement root, string action) =>
        root.LocalName() == action + "Response" || root.LocalName() == action + "Result";

    /// <summary>The <c>{Action}Result</c> wrapper, or the <c>{Action}Response</c> root when a service left it out.</summary>
    public static XElement Result(XElement root, string action) =>
        root.LocalName() == action + "Result" ? root : root.Child(action + "Result") ?? root;

    public static IamPage<IamUser> ParseListUsers(XElement result) => Page(result, "Users", ParseUser);

    public static IamPage<AccessKeyMetadata> ParseListAccessKeys(XElement result) => Page(result, "AccessKeyMetadata", ParseAccessKey);

    public static IamPage<string> ParseListAccountAliases(XElement result) => Page(result, "AccountAliases", m => m.Value.Trim());

    public static AccessKeyLastUsed ParseGetAccessKeyLastUsed(XElement result)
    {
        var lastUsed = result.Child("AccessKeyLastUsed");
        return new AccessKeyLastUsed(
            UserName: result.Text("UserName"),
            LastUsedDate: Date(lastUsed?.Text("LastUsedDate")),
            Region: NotApplicableToNull(lastUsed?.Text("Region")),
            ServiceName: NotApplicableToNull(lastUsed?.Text("ServiceName")));
    }

    public static CredentialReportGeneration ParseGenerateCredentialReport(XElement result)
    {
        var state = result.Text("State")?.ToUpperInvariant() switch
        {
            "COMPLETE" => CredentialReportState.Complete,
            "STARTED" => CredentialReportState.Started,
            _ => CredentialReportState.InProgress,
        };
        return new CredentialReportGeneration(state, result.Text("Description"));
    }

    /// <summary>The raw <c>GetCredentialReport</c> answer: base64 content, format and generation time.</summary>
    public static (string Content, string? ReportFormat, DateTimeOffset? GeneratedTime) ParseGetCredentialReport(XElement result) =>
        (result.Text("Content") ?? "", result.Text("ReportFormat"), Date(result.Text("GeneratedTime")));

    /// <summary>
    /// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;</c>;
    /// null when the body is not such a document.
    /// </summary>
    public static (string Code, string? Message, string? Type, string? RequestId)? TryParseError(string body)
    {
        XElement root;
        try
        {
            root = Load(body);
        }
        catch (XmlException)
        {
            return null;
        }

        var error = root.LocalName() == "Error" ? root : root.Descendant("Error");
        string? code = error?.Text("Code");
        if (error is null || string.IsNullOrEmpty(code))
        {
            return null;
        }

        return (code, error.Text("Message"), error.Text("Type"), root.Descendant("RequestId")?.Value.Trim());
    }

    /// <summary>The <c>ResponseMetadata/RequestId</c> of the document <paramref name="element"/> belongs to.</summary>
    public static string? RequestId(XElement element) => (element.Document?.Root ?? element).Descendant("RequestId")?.Value.Trim();

    /// <summary>ISO 8601 (the Query protocol's timestamp format) as UTC; epoch seconds are accepted too.</summary>
    public static DateTimeOffset? Date(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double epochSeconds))
        {
            double milliseconds = epochSeconds * 1000;
            if (!double.IsFinite(milliseconds) || milliseconds < MinEpochMilliseconds || milliseconds > MaxEpochMilliseconds)
            {
                throw new FormatException($"The epoch time '{Cut(text)}' is outside the range of dates.");
            }

            return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            throw new FormatException($"'{Cut(text)}' is not a date.");
        }

        return date.ToUniversalTime();
    }

    private static readonly double MinEpochMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly double MaxEpochMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";

    internal static IamPage<T> Page<T>(XElement result, string listName, Func<XElement, T> parseMember)
    {
        var items = result.Child(listName)?.Elements().Where(e => e.LocalName() == "member").Select(parseMember).ToList() ?? [];
        bool truncated = string.Equals(result.Text("IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
        string? marker = result.Child("Marker")?.Value;
        return new IamPage<T>(items, truncated, string.IsNullOrEmpty(marker) ? null : marker);
    }

    private static IamUser ParseUser(XElement member) => new(
        UserName: member.Required("UserName"),
        UserId: member.Text("UserId") ?? "",
        Arn: member.Required("Arn"),
        Path: member.Text("Path") ?? "/",
        CreateDate: Date(member.Required("CreateDate"))!.Value,
        PasswordLastUsed: Date(member.Text("PasswordLastUsed")));

    private static AccessKeyMetadata ParseAccessKey(XElement member) => new(
        UserName: member.Text("UserName") ?? "",
        AccessKeyId: member.Required("AccessKeyId"),
        Status: member.Text("Status") ?? "",
        CreateDate: Date(member.Text("CreateDate")));

    private static string? NotApplicableToNull(string? value) =>
        string.IsNullOrEmpty(value) || value == "N/A" ? null : value;

    internal static string LocalName(this XElement element) => element.Name.LocalName;

    internal static XElement? Child(this XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.LocalName() == localName);

    private static XElement? Descendant(this XElement element, string localName) =>
        element.Descendants().FirstOrDefault(e => e.LocalName() == localName);

    internal static string? Text(this XElement element, string localName) => element.Child(localName)?.Value.Trim();

    internal static string Required(this XElement element, string localName) =>
        element.Text(localName) is { Length: > 0 } value
            ? value
            : throw new XmlException($"<{element.LocalName()}> has no <{localName}>.");
}
