using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>Where one AWS service is reached and how it is signed, e.g. IAM at <c>https://iam.amazonaws.com/</c>, <c>us-east-1</c>, <c>iam</c>.</summary>
public sealed record AwsEndpoint(Uri Uri, string SigningRegion, string SigningService);

/// <summary>One AWS call as the protocol layer built it: the body and content type, plus headers to sign (e.g. <c>X-Amz-Target</c>).</summary>
public sealed record AwsRequest(string Operation, byte[] Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>>? Headers = null);

/// <summary>An answer the protocol accepted as the operation's response.</summary>
public sealed record AwsResponse(int Status, string Body, string? RequestId);

/// <summary>A service error as the protocol read it from one answer (the pipeline redacts the message).</summary>
public sealed record AwsError(string Code, string? Message, string? Type = null, string? RequestId = null);

/// <summary>Why a call failed, once the pipeline gave up: what the protocol turns into its own exception type.</summary>
public sealed record AwsFailure(
    string Operation,
    string Code,
    int Status,
    string Message,
    string? Type,
    string? RequestId,
    int Attempts,
    Exception? Exception);

/// <summary>
/// What a service's wire protocol adds on top of <see cref="AwsRequestPipeline"/>: how an answer is told apart from an
/// error, and which exception its callers see. IAM's Query protocol is <c>Iam.IamQueryProtocol</c>; a JSON 1.1 service
/// (Organizations) is another small implementation.
/// </summary>
public interface IAwsProtocol
{
    /// <summary>How the service appears in messages, e.g. <c>IAM</c>.</summary>
    string ServiceName { get; }

    /// <summary>
    /// Null when <paramref name="body"/> (HTTP <paramref name="status"/>) is the answer to <paramref name="operation"/>;
    /// otherwise the error it carries. A 2xx that is not the operation's answer must return
    /// <see cref="AwsPipelineErrorCodes.InvalidResponse"/>, so it is never taken for an empty result.
    /// </summary>
    AwsError? ReadError(string operation, int status, string body);

    /// <summary>The exception callers see; its message is already redacted and names the operation and account.</summary>
    ServiceException CreateException(AwsFailure failure, string message);
}

/// <summary>Codes the pipeline produces itself; the service's own codes pass through unchanged.</summary>
public static class AwsPipelineErrorCodes
{
    public const string RequestTimeout = "RequestTimeout";
    public const string ConnectionFailure = "ConnectionFailure";
    public const string InvalidResponse = "InvalidResponse";
    public const string ExpiredToken = "ExpiredToken";
    public const string ExpiredTokenException = "ExpiredTokenException";
}
