using IamKeyFunc.Reporting.Configuration;
using Amazon.Runtime;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// One account of a run: where its IAM endpoint is and the (lazy, refreshing) credentials to call it with.
/// <see cref="AWSCredentials.GetCredentialsAsync()"/> throws <see cref="AwsFederationException"/> if the role cannot be
/// assumed, so a failing account fails only when used.
/// </summary>
/// <param name="AccountId">The 12-digit account ID.</param>
/// <param name="Partition">The account's partition (the central role's).</param>
/// <param name="RoleArn">The role assumed in the account.</param>
/// <param name="Credentials">Refreshing credentials for <paramref name="RoleArn"/>.</param>
/// <param name="IamEndpoint">The IAM endpoint: <c>IamKey:Aws:IamEndpoint</c> or the partition's.</param>
/// <param name="IamSigningRegion">The SigV4 region for IAM (the partition's home region).</param>
public sealed record AwsAccountSession(
    string AccountId,
    AwsPartition Partition,
    string RoleArn,
    AWSCredentials Credentials,
    Uri IamEndpoint,
    string IamSigningRegion)
{
    public override string ToString() => $"{AccountId} ({RoleArn})";
}
