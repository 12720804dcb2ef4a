using IamKeyFunc.Reporting.Errors;
namespace IamKeyFunc.Reporting.Aws.Organizations;

/// <summary>
/// A failed AWS Organizations call: the service's error code (<c>AccessDeniedException</c>,
/// <c>AWSOrganizationsNotInUseException</c>, <c>TooManyRequestsException</c> after the retries ran out, ...), or the
/// client's own (<c>InvalidResponse</c>, <c>RepeatedNextToken</c>, <c>RequestTimeout</c>). Never carries credentials.
/// </summary>
public sealed class OrganizationsException : ServiceException
{
    public OrganizationsException(string message, string errorCode, int status, string? requestId = null, string? operation = null, int attempts = 1, Exception? innerException = null)
        : base(message, errorCode, status, requestId, innerException)
    {
        Operation = operation;
        Attempts = attempts;
    }

    public OrganizationsException()
        : this("The AWS Organizations request failed.", "Unknown", 0)
    {
    }

    public OrganizationsException(string message)
        : this(message, "Unknown", 0)
    {
    }

    public OrganizationsException(string message, Exception innerException)
        : this(message, "Unknown", 0, innerException: innerException)
    {
    }

    /// <summary>The Organizations operation, e.g. <c>ListAccountsForParent</c>.</summary>
    public string? Operation { get; }

    /// <summary>HTTP attempts made, counting the first.</summary>
    public int Attempts { get; }
}

/// <summary>The Organizations error codes the discovery reacts to, as the 2016-11-28 model names them.</summary>
public static class OrganizationsErrorCodes
{
    public const string AccessDenied = "AccessDeniedException";
    public const string NotInUse = "AWSOrganizationsNotInUseException";
    public const string TooManyRequests = "TooManyRequestsException";
    public const string InvalidInput = "InvalidInputException";

    /// <summary>Ours: a list answered the NextToken it was sent (it would never end).</summary>
    public const string RepeatedNextToken = "RepeatedNextToken";
}
