// TEMPORARY stand-ins for the federation and aws-client branches' agreed APIs (helpers brief), so the job builds before that
// branch is merged. The merge commit deletes this file.
using Amazon.Runtime;

namespace IamKeyFunc.Reporting.Aws.Federation;

public sealed record AwsAccountSession(string AccountId, AwsPartition Partition, string RoleArn, AWSCredentials Credentials, Uri IamEndpoint, string IamSigningRegion);

public class AwsSessionProvider
{
    public virtual Task<IReadOnlyList<AwsAccountSession>> GetSessionsAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Federation is not merged yet.");
}

public sealed class AwsFederationException : Exception
{
    public AwsFederationException()
    {
    }

    public AwsFederationException(string message)
        : base(message)
    {
    }

    public AwsFederationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string ErrorCode { get; init; } = "Unknown";
}
