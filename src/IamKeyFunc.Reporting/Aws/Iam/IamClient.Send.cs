using System.Net;
using System.Xml.Linq;
using IamKeyFunc.Reporting.Aws.Pipeline;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>IAM's Query protocol over the signed request pipeline: form body in, result element out.</summary>
public partial class IamClient
{
    private async Task<XElement> SendAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var request = new AwsRequest(action, FormBody(action, parameters), FormContentType);
        var response = await _pipeline.SendAsync(request, IamQueryProtocol.Instance, cancellationToken).ConfigureAwait(false);

        // The protocol has checked that the body is this action's XML answer.
        return IamXml.Result(IamXml.Load(response.Body), action);
    }

    private T Parse<T>(string action, XElement result, Func<XElement, T> parse)
    {
        try
        {
            return parse(result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IamException(
                $"IAM {action} for {AccountLabel} returned a response that could not be read: {ex.Message}",
                IamErrorCodes.InvalidResponse, (int)HttpStatusCode.OK, IamXml.RequestId(result), operation: action, innerException: ex);
        }
    }
}
