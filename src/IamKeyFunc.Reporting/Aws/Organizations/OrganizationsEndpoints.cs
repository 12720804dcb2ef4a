using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Aws.Pipeline;

namespace IamKeyFunc.Reporting.Aws.Organizations;

/// <summary>
/// Where AWS Organizations is reached, per the service's endpoint rule set (<c>organizations/endpoint-rule-set-1.json</c>):
/// one global endpoint per partition, signed for that partition's Organizations region.
/// </summary>
public static class OrganizationsEndpoints
{
    public const string SigningService = "organizations";

    /// <summary>
    /// <c>https://organizations.us-east-1.amazonaws.com</c> (aws), <c>https://organizations.cn-northwest-1.amazonaws.com.cn</c>
    /// (aws-cn), <c>https://organizations.us-gov-west-1.amazonaws.com</c> (aws-us-gov); an override keeps the partition's
    /// signing region.
    /// </summary>
    public static AwsEndpoint For(AwsPartition partition, Uri? endpointOverride = null)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var (uri, region) = partition.Name switch
        {
            "aws-cn" => ("https://organizations.cn-northwest-1.amazonaws.com.cn/", "cn-northwest-1"),
            "aws-us-gov" => ("https://organizations.us-gov-west-1.amazonaws.com/", "us-gov-west-1"),
            "aws" => ("https://organizations.us-east-1.amazonaws.com/", "us-east-1"),
            _ => throw new ArgumentException($"AWS Organizations has no endpoint in partition '{partition.Name}'.", nameof(partition)),
        };
        return new AwsEndpoint(endpointOverride ?? new Uri(uri), region, SigningService);
    }
}
