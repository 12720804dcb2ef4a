using IamKeyFunc.Reporting.Configuration;
using static IamKeyFunc.Tests.Aws.Federation.FederationTestKit;

namespace IamKeyFunc.Tests.Configuration;

public sealed class AwsOptionsValidatorTests
{
    private readonly AwsOptionsValidator _validator = new();

    [Fact]
    public void Validate_ShouldSucceed_ForACompleteMultiAccountConfiguration()
    {
        // Arrange
        var options = Options(o =>
        {
            o.MemberAccountIds = "444455556666,555566667777";
            o.MemberRoleArns = "arn:aws:iam::777788889999:role/Legacy";
            o.StsRegion = "eu-west-1";
            o.StsEndpoint = new Uri("https://sts.eu-west-1.amazonaws.com/");
        });

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("abc", "IamKey:Aws:MemberAccountIds contains 'abc': expected 12-digit account IDs.")]
    [InlineData("44445555666", "IamKey:Aws:MemberAccountIds contains '44445555666': expected 12-digit account IDs.")]
    [InlineData("444455556666,4444-5555-6666", "IamKey:Aws:MemberAccountIds contains '4444-5555-6666': expected 12-digit account IDs.")]
    public void Validate_ShouldNameTheSetting_WhenAMemberAccountIdIsNotTwelveDigits(string ids, string expected)
    {
        // Act
        var result = _validator.Validate(null, Options(o => o.MemberAccountIds = ids));

        // Assert
        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Validate_ShouldNameTheSetting_WhenAMemberRoleArnDoesNotParse()
    {
        // Act
        var result = _validator.Validate(null, Options(o => o.MemberRoleArns = "arn:aws:iam::444455556666:user/alice"));

        // Assert
        Assert.Equal(
            ["IamKey:Aws:MemberRoleArns contains 'arn:aws:iam::444455556666:user/alice': expected IAM role ARNs such as arn:aws:iam::111122223333:role/IamKeyFuncMember."],
            result.Failures);
    }

    [Fact]
    public void Validate_ShouldRefuseMembersInAnotherPartition()
    {
        // Act
        var result = _validator.Validate(null, Options(o => o.MemberRoleArns = "arn:aws-cn:iam::444455556666:role/Member"));

        // Assert
        Assert.Equal(
            ["IamKey:Aws:MemberRoleArns contains 'arn:aws-cn:iam::444455556666:role/Member' in partition aws-cn, but IamKey:Aws:RoleArn is in partition aws: every account must be in the central role's partition."],
            result.Failures);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:role/R", "cn-north-1", "IamKey:Aws:StsRegion 'cn-north-1' is in partition aws-cn, but IamKey:Aws:RoleArn is in partition aws.")]
    [InlineData("arn:aws-us-gov:iam::111122223333:role/R", "us-east-1", "IamKey:Aws:StsRegion 'us-east-1' is in partition aws, but IamKey:Aws:RoleArn is in partition aws-us-gov.")]
    public void Validate_ShouldRefuseAnStsRegionOutsideTheRolesPartition(string roleArn, string region, string expected)
    {
        // Act
        var result = _validator.Validate(null, Options(o => { o.RoleArn = roleArn; o.StsRegion = region; }));

        // Assert
        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Validate_ShouldComplain_WhenThereIsNoAccountToInventory()
    {
        // Act
        var result = _validator.Validate(null, Options(o => o.IncludeCentralAccount = false));

        // Assert
        Assert.Equal(
            ["IamKey:Aws:IncludeCentralAccount is false and no IamKey:Aws:MemberAccountIds or IamKey:Aws:MemberRoleArns are set: there is no account to inventory (or set IamKey:Aws:Discovery:Source to Organizations)."],
            result.Failures);
    }

    [Fact]
    public void Validate_ShouldAcceptNoAccountList_WhenOrganizationsDiscoversTheAccounts()
    {
        // Arrange
        var validator = new AwsOptionsValidator(Microsoft.Extensions.Options.Options.Create(new DiscoveryOptions { Source = DiscoverySource.Organizations }));

        // Act
        var result = validator.Validate(null, Options(o => o.IncludeCentralAccount = false));

        // Assert
        Assert.True(result.Succeeded, string.Join(" ", result.Failures ?? []));
    }

    [Fact]
    public void Validate_ShouldCheckEndpointsAndStsTimings()
    {
        // Act
        var result = _validator.Validate(null, Options(o =>
        {
            o.StsEndpoint = new Uri("ftp://sts.example/");
            o.IamEndpoint = new Uri("/relative", UriKind.Relative);
            o.CredentialRefreshWindow = TimeSpan.FromHours(1);
            o.StsTimeout = TimeSpan.Zero;
            o.StsMaxRetryBackoff = TimeSpan.FromMinutes(5);
        }));

        // Assert
        Assert.Equal(
            [
                "IamKey:Aws:StsEndpoint 'ftp://sts.example/' must be an absolute https URL.",
                "IamKey:Aws:IamEndpoint '/relative' must be an absolute https URL.",
                "IamKey:Aws:CredentialRefreshWindow is 01:00:00: expected between 00:01:00 and 00:30:00.",
                "IamKey:Aws:StsTimeout is 00:00:00: expected between 00:00:01 and 00:05:00.",
                "IamKey:Aws:StsMaxRetryBackoff is 00:05:00: expected between 00:00:00 and 00:01:00.",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_ShouldLeaveAnUnparsableRoleArnToItsDataAnnotation()
    {
        // Act
        var result = _validator.Validate(null, Options(o => { o.RoleArn = "not-an-arn"; o.MemberAccountIds = "444455556666"; }));

        // Assert
        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("http://sts.example.com/")]
    [InlineData("http://10.0.0.5:8080/")]
    [InlineData("http://localhost.example.com/")]
    public void Validate_ShouldRefusePlainHttpToAHostThatIsNotLoopback_NamingTheSettingThatAllowsIt(string endpoint)
    {
        // Act
        var result = _validator.Validate(null, Options(o => { o.StsEndpoint = new Uri(endpoint); o.IamEndpoint = new Uri(endpoint); }));

        // Assert
        var authority = new Uri(endpoint).GetLeftPart(UriPartial.Authority);
        Assert.Equal(
            [
                $"IamKey:Aws:StsEndpoint '{authority}' uses plain http: the web-identity token and signed requests would cross the network in clear text. Use https, or set IamKey:Aws:AllowInsecureHttpEndpoints=true for an isolated lab.",
                $"IamKey:Aws:IamEndpoint '{authority}' uses plain http: the web-identity token and signed requests would cross the network in clear text. Use https, or set IamKey:Aws:AllowInsecureHttpEndpoints=true for an isolated lab.",
            ],
            result.Failures);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080/", false)]
    [InlineData("http://localhost:5080/", false)]
    [InlineData("http://[::1]:5080/", false)]
    [InlineData("https://sts.example.com/", false)]
    [InlineData("http://sts.lab.internal/", true)]
    public void Validate_ShouldAcceptHttps_LoopbackHttp_AndHttpOnlyWhenExplicitlyAllowed(string endpoint, bool allowInsecure)
    {
        // Act
        var result = _validator.Validate(null, Options(o =>
        {
            o.StsEndpoint = new Uri(endpoint);
            o.IamEndpoint = new Uri(endpoint);
            o.AllowInsecureHttpEndpoints = allowInsecure;
        }));

        // Assert
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
