namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// An AWS partition and its fixed endpoints. IAM is one global endpoint per partition, signed for the
/// partition's home region; STS is regional. The partition follows the role ARN.
/// </summary>
public sealed record AwsPartition(string Name, string DnsSuffix, string HomeRegion, Uri IamEndpoint)
{
    public static AwsPartition Aws { get; } = new("aws", "amazonaws.com", "us-east-1", new Uri("https://iam.amazonaws.com/"));

    public static AwsPartition China { get; } = new("aws-cn", "amazonaws.com.cn", "cn-north-1", new Uri("https://iam.cn-north-1.amazonaws.com.cn/"));

    public static AwsPartition UsGov { get; } = new("aws-us-gov", "amazonaws.com", "us-gov-west-1", new Uri("https://iam.us-gov.amazonaws.com/"));

    public static IReadOnlyList<AwsPartition> All { get; } = [Aws, China, UsGov];

    /// <summary>The SigV4 region IAM requests are signed for.</summary>
    public string IamSigningRegion => HomeRegion;

    /// <summary>The regional STS endpoint, e.g. <c>https://sts.eu-west-1.amazonaws.com/</c>.</summary>
    public Uri StsEndpoint(string? region = null) => new($"https://sts.{region ?? HomeRegion}.{DnsSuffix}/");

    public static AwsPartition FromName(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
        ?? throw new ArgumentException($"Unknown AWS partition '{name}'. Expected one of: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
