// TEMPORARY stand-in for the aws-client branch's IamException (helpers brief); the merge commit deletes this file.
namespace IamKeyFunc.Reporting.Aws;

public sealed class IamException : Exception
{
    public IamException()
    {
    }

    public IamException(string message)
        : base(message)
    {
    }

    public IamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string ErrorCode { get; init; } = "Unknown";
}
