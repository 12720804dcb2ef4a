using System.Globalization;
using System.Text;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>Appends XML elements; null values are omitted, times are written as IAM does (<c>2024-01-31T12:00:00Z</c>).</summary>
internal class XmlFragment
{
    protected StringBuilder Xml { get; } = new(256);

    public static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public XmlFragment Open(string name)
    {
        Xml.Append('<').Append(name).Append('>');
        return this;
    }

    public XmlFragment Close(string name)
    {
        Xml.Append("</").Append(name).Append('>');
        return this;
    }

    /// <summary>Writes <c>&lt;name&gt;value&lt;/name&gt;</c>; nothing when the value is null.</summary>
    public XmlFragment Element(string name, string? value)
    {
        if (value is not null)
        {
            Xml.Append('<').Append(name).Append('>').Append(QueryResponse.Escape(value)).Append("</").Append(name).Append('>');
        }

        return this;
    }

    public XmlFragment Element(string name, DateTimeOffset? value) => value is { } v ? Element(name, Timestamp(v)) : this;

    public XmlFragment Element(string name, bool value) => Element(name, value ? "true" : "false");

    public XmlFragment Element(string name, int value) => Element(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends pre-rendered XML (cached list members).</summary>
    public XmlFragment Raw(string xml)
    {
        Xml.Append(xml);
        return this;
    }

    public override string ToString() => Xml.ToString();
}

/// <summary>
/// A Query-protocol success body: <c>&lt;{Action}Response xmlns&gt;&lt;{Action}Result&gt;…&lt;/{Action}Result&gt;
/// &lt;ResponseMetadata&gt;&lt;RequestId/&gt;&lt;/ResponseMetadata&gt;&lt;/{Action}Response&gt;</c>, element names as in the service model.
/// </summary>
internal sealed class XmlResponseBuilder : XmlFragment
{
    private readonly string _action;

    public XmlResponseBuilder(AwsService service, string action)
    {
        _action = action;
        Xml.Append('<').Append(action).Append("Response xmlns=\"").Append(service.XmlNamespace).Append("\">")
            .Append('<').Append(action).Append("Result>");
    }

    public QueryResponse Finish(string requestId)
    {
        Xml.Append("</").Append(_action).Append("Result><ResponseMetadata><RequestId>").Append(requestId)
            .Append("</RequestId></ResponseMetadata></").Append(_action).Append("Response>");
        return new QueryResponse(200, Xml.ToString(), requestId);
    }
}
