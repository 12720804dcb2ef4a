namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>The services the emulator speaks, with their API version and XML namespace (none for the JSON 1.1 service).</summary>
internal sealed record AwsService(string SigningName, string Version, string XmlNamespace)
{
    public static AwsService Iam { get; } = new("iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/");

    public static AwsService Sts { get; } = new("sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/");

    /// <summary>AWS Organizations, JSON 1.1 (<c>X-Amz-Target: AWSOrganizationsV20161128.{Operation}</c>).</summary>
    public static AwsService Organizations { get; } = new("organizations", "2016-11-28", "");
}
