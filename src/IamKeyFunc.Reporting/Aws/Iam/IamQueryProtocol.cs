using System.Xml;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// IAM's Query protocol on the signed request pipeline: a success is a <c>{Action}Response</c> (or bare
/// <c>{Action}Result</c>) document; an error is an <c>&lt;ErrorResponse&gt;</c>. A 2xx that is anything else (HTML,
/// another document, an <c>ErrorResponse</c> sent with 200) is <c>InvalidResponse</c>, never an empty result.
/// </summary>
internal sealed class IamQueryProtocol : IAwsProtocol
{
    public static readonly IamQueryProtocol Instance = new();

    public string ServiceName => "IAM";

    public AwsError? ReadError(string operation, int status, string body)
    {
        if (status is >= 200 and < 300)
        {
            return ReadAnswer(operation, body);
        }

        if (IamXml.TryParseError(body) is { } error)
        {
            return new AwsError(error.Code, error.Message, error.Type, error.RequestId);
        }

        string code = Enum.IsDefined((System.Net.HttpStatusCode)status) ? ((System.Net.HttpStatusCode)status).ToString() : $"Http{status}";
        return new AwsError(code, $"Non-XML error body: {(string.IsNullOrWhiteSpace(body) ? "(empty)" : body)}");
    }

    public ServiceException CreateException(AwsFailure failure, string message) =>
        new IamException(message, failure.Code, failure.Status, failure.RequestId, failure.Type, failure.Operation, failure.Attempts, failure.Exception);

    private static AwsError? ReadAnswer(string operation, string body)
    {
        System.Xml.Linq.XElement root;
        try
        {
            root = IamXml.Load(body);
        }
        catch (XmlException ex)
        {
            return new AwsError(IamErrorCodes.InvalidResponse, $"The {operation} answer is not XML: {ex.Message}");
        }

        if (IamXml.IsAnswer(root, operation))
        {
            return null;
        }

        string embedded = IamXml.TryParseError(body) is { } error ? $" (an error document with code {error.Code})" : "";
        return new AwsError(
            IamErrorCodes.InvalidResponse,
            $"The answer is a <{root.Name.LocalName}> document{embedded}, not a {operation}Response.",
            RequestId: IamXml.RequestId(root));
    }
}
