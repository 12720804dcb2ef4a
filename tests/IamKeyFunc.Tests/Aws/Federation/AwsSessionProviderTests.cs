using System.Net;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static IamKeyFunc.Tests.Aws.Federation.FederationTestKit;

namespace IamKeyFunc.Tests.Aws.Federation;

public sealed class AwsSessionProviderTests
{
    [Fact]
    public void Sessions_ShouldListCentralThenMemberIdsThenMemberArns_DeduplicatedByAccount()
    {
        // Arrange
        var options = Options(o =>
        {
            o.MemberAccountIds = "444455556666, 555566667777,444455556666;111122223333";
            o.MemberRoleName = "KeyReportMember";
            o.MemberRoleArns = "arn:aws:iam::777788889999:role/path/Legacy,arn:aws:iam::555566667777:role/Other";
        });

        // Act
        using var provider = Provider(options);

        // Assert
        Assert.Equal(
            [
                ("111122223333", CentralRoleArn),
                ("444455556666", "arn:aws:iam::444455556666:role/KeyReportMember"),
                ("555566667777", "arn:aws:iam::555566667777:role/KeyReportMember"),
                ("777788889999", "arn:aws:iam::777788889999:role/path/Legacy"),
            ],
            provider.Sessions.Select(s => (s.AccountId, s.RoleArn)));
        Assert.Same(provider.CentralCredentials, provider.Sessions[0].Credentials);
        Assert.All(provider.Sessions.Skip(1), s => Assert.Same(provider.CentralCredentials, Assert.IsType<ChainedRoleCredentials>(s.Credentials).Source));
        Assert.All(provider.Sessions, s => Assert.Equal(new Uri("https://iam.amazonaws.com/"), s.IamEndpoint));
        Assert.All(provider.Sessions, s => Assert.Equal("us-east-1", s.IamSigningRegion));
        Assert.Equal("111122223333 (arn:aws:iam::111122223333:role/IamKeyFuncReader)", provider.Sessions[0].ToString());
    }

    [Fact]
    public void Sessions_ShouldLeaveOutTheCentralAccount_WhenIncludeCentralAccountIsFalse()
    {
        // Arrange
        var options = Options(o => { o.IncludeCentralAccount = false; o.MemberAccountIds = "444455556666"; });

        // Act
        using var provider = Provider(options);

        // Assert
        var session = Assert.Single(provider.Sessions);
        Assert.Equal("444455556666", session.AccountId);
        Assert.Equal(CentralRoleArn, provider.CentralCredentials.RoleArn);
    }

    [Fact]
    public async Task Directory_ShouldReturnOnlyTheRequestedAccounts_InConfigurationOrder()
    {
        // Arrange
        using var provider = Provider(Options(o => o.MemberAccountIds = "444455556666,555566667777"));

        var directory = new AccountDirectory(new StaticAccountSource(provider));

        // Act
        var selection = await directory.ResolveAsync(["555566667777", " 111122223333 "]);

        // Assert
        Assert.Empty(selection.Errors);
        Assert.Equal(["111122223333", "555566667777"], selection.Selected.Select(s => s.AccountId));
        Assert.Equal(3, selection.All.Count);
        Assert.Equal(3, (await directory.ResolveAsync(null)).Selected.Count);
        Assert.Equal(3, (await directory.ResolveAsync([])).Selected.Count);
    }

    [Fact]
    public async Task Directory_ShouldListTheConfiguredAccounts_WhenAnAccountIsUnknown()
    {
        // Arrange
        using var provider = Provider(Options(o => o.MemberAccountIds = "444455556666"));

        // Act
        var selection = await new AccountDirectory(new StaticAccountSource(provider)).ResolveAsync(["999999999999", "444455556666"]);

        // Assert
        Assert.Empty(selection.Selected);
        var error = Assert.Single(selection.Errors);
        Assert.StartsWith("Account(s) 999999999999 are not configured. Configured accounts: 111122223333, 444455556666", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u0661\u0661\u0661\u0661\u0662\u0662\u0662\u0662\u0663\u0663\u0663\u0663")] // Arabic-Indic digits: \d matches them, the rule does not
    [InlineData("44445555666")]
    public async Task Directory_ShouldReturnAnError_WhenARequestedAccountIsNotTwelveAsciiDigits(string id)
    {
        // Arrange
        using var provider = Provider(Options(o => o.MemberAccountIds = "444455556666"));

        // Act
        var selection = await new AccountDirectory(new StaticAccountSource(provider)).ResolveAsync([id]);

        // Assert
        Assert.Empty(selection.Selected);
        Assert.Equal([$"account '{id}' is not an AWS account ID (12 digits)."], selection.Errors);
    }

    [Theory]
    [InlineData("aws-cn", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn/")]
    [InlineData("aws-us-gov", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/")]
    [InlineData("aws", "https://iam.amazonaws.com/", "us-east-1", "https://sts.us-east-1.amazonaws.com/")]
    public void Sessions_ShouldFollowTheRoleArnsPartition(string partition, string iamEndpoint, string signingRegion, string stsEndpoint)
    {
        // Arrange
        var options = Options(o =>
        {
            o.RoleArn = $"arn:{partition}:iam::111122223333:role/IamKeyFuncReader";
            o.MemberAccountIds = "444455556666";
        });

        // Act
        using var provider = Provider(options);
        var sts = StsFactory(options);

        // Assert
        Assert.Equal(partition, provider.Partition.Name);
        Assert.All(provider.Sessions, s => Assert.Equal(partition, s.Partition.Name));
        Assert.All(provider.Sessions, s => Assert.Equal(new Uri(iamEndpoint), s.IamEndpoint));
        Assert.All(provider.Sessions, s => Assert.Equal(signingRegion, s.IamSigningRegion));
        Assert.Equal($"arn:{partition}:iam::444455556666:role/IamKeyFuncMember", provider.Sessions[1].RoleArn);
        Assert.Equal(new Uri(stsEndpoint), sts.EndpointFor(provider.Partition));
        Assert.Equal(signingRegion, sts.RegionFor(provider.Partition));
    }

    [Fact]
    public void Sessions_ShouldUseTheEndpointOverrides_WhenConfigured()
    {
        // Arrange
        var options = Options(o =>
        {
            o.IamEndpoint = new Uri("https://iam.vpce.example.internal/");
            o.StsEndpoint = new Uri("https://sts.vpce.example.internal/");
            o.StsRegion = "eu-west-1";
        });

        // Act
        using var provider = Provider(options);
        var sts = StsFactory(options);

        // Assert
        Assert.Equal(new Uri("https://iam.vpce.example.internal/"), Assert.Single(provider.Sessions).IamEndpoint);
        Assert.Equal(new Uri("https://sts.vpce.example.internal/"), sts.EndpointFor(AwsPartition.Aws));
        Assert.Equal("eu-west-1", sts.RegionFor(AwsPartition.Aws));
        Assert.Equal(new Uri("https://sts.eu-west-1.amazonaws.com/"), StsFactory(Options(o => o.StsRegion = "eu-west-1")).EndpointFor(AwsPartition.Aws));
    }

    [Fact]
    public void StsClientFactory_ShouldUseThePartitionsHomeRegion_WhenStsRegionIsEmpty()
    {
        // Arrange: an empty app setting binds as "".
        var sts = StsFactory(Options(o => o.StsRegion = ""));

        // Act / Assert
        Assert.Equal(new Uri("https://sts.us-east-1.amazonaws.com/"), sts.EndpointFor(AwsPartition.Aws));
        Assert.Equal("us-east-1", sts.RegionFor(AwsPartition.Aws));
    }

    [Fact]
    public async Task Sessions_ShouldFailOnlyTheDeniedAccount_WhenItsCredentialsAreFirstUsed()
    {
        // Arrange: the second member's role refuses the chain.
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(call => call["RoleArn"].Contains("555566667777", StringComparison.Ordinal)
            ? StsReply.Error(HttpStatusCode.Forbidden, "AccessDenied", "not authorized to perform: sts:AssumeRole")
            : FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        var options = Options(o => o.MemberAccountIds = "444455556666,555566667777");
        using var provider = Provider(options, sts, clock);

        // Act
        var callsBeforeUse = sts.CallCount;
        var outcomes = new Dictionary<string, string>();
        foreach (var session in provider.Sessions)
        {
            try
            {
                outcomes[session.AccountId] = (await session.Credentials.GetCredentialsAsync()).AccessKey;
            }
            catch (AwsFederationException ex)
            {
                outcomes[session.AccountId] = ex.ErrorCode!;
            }
        }

        // Assert
        Assert.Equal(0, callsBeforeUse);
        Assert.Equal("ASIATESTKEY000000001", outcomes["111122223333"]);
        Assert.Equal("ASIATESTKEY000000002", outcomes["444455556666"]);
        Assert.Equal("AccessDenied", outcomes["555566667777"]);
        Assert.Equal(1, sts.Calls.Count(c => c.Action == "AssumeRoleWithWebIdentity"));
    }

    [Fact]
    public async Task Sessions_ShouldAssumeTheCentralRoleFromTheSdkChain_WhenCredentialSourceIsAwsSdkChain()
    {
        // Arrange: a profile with static keys, as `aws configure` writes it.
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1));
        var credentialsFile = Path.Combine(Path.GetTempPath(), $"iamkeyfunc-{Guid.NewGuid():N}.credentials");
        await File.WriteAllTextAsync(credentialsFile, $"[audit]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = profile-{SecretMarker}\n");
        try
        {
            var options = Options(o => { o.CredentialSource = AwsCredentialSource.AwsSdkChain; o.Profile = "audit"; });
            using var provider = Provider(options, sts, clock, new AwsSdkChainSource("audit", credentialsFile));

            // Act
            var central = await Assert.Single(provider.Sessions).Credentials.GetCredentialsAsync();

            // Assert
            var call = Assert.Single(sts.Calls);
            Assert.Equal("AssumeRole", call.Action);
            Assert.Equal(CentralRoleArn, call["RoleArn"]);
            Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIAPROFILEKEY000001/\d{8}/us-east-1/sts/aws4_request", call.Authorization);
            Assert.Null(call.SecurityToken);
            Assert.Equal("ASIATESTKEY000000001", central.AccessKey);
            Assert.IsType<ChainedRoleCredentials>(provider.CentralCredentials);
        }
        finally
        {
            File.Delete(credentialsFile);
        }
    }

    [Fact]
    public async Task Sessions_ShouldReportAwsCredentialsNotFound_WhenTheProfileDoesNotExist()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1));
        var credentialsFile = Path.Combine(Path.GetTempPath(), $"iamkeyfunc-{Guid.NewGuid():N}.credentials");
        await File.WriteAllTextAsync(credentialsFile, "[other]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = x\n");
        try
        {
            var options = Options(o => { o.CredentialSource = AwsCredentialSource.AwsSdkChain; o.Profile = "missing"; });
            using var provider = Provider(options, sts, clock, new AwsSdkChainSource("missing", credentialsFile));

            // Act
            var error = await Assert.ThrowsAsync<AwsFederationException>(() => provider.Sessions[0].Credentials.GetCredentialsAsync());

            // Assert
            Assert.Equal(AwsFederationException.AwsCredentialsNotFound, error.ErrorCode);
            Assert.Contains("'missing' (IamKey:Aws:Profile)", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, sts.CallCount);
        }
        finally
        {
            File.Delete(credentialsFile);
        }
    }

    [Fact]
    public void Constructor_ShouldThrowWithTheSettingName_WhenTheMemberListIsInvalid()
    {
        // Act
        var error = Assert.Throws<OptionsValidationException>(() => Provider(Options(o => o.MemberAccountIds = "12345")));

        // Assert
        Assert.Contains("IamKey:Aws:MemberAccountIds contains '12345': expected 12-digit account IDs.", error.Failures);
    }

    private static StsClientFactory StsFactory(AwsOptions options) =>
        new(new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), Microsoft.Extensions.Options.Options.Create(options));

    private static AwsSessionProvider Provider(AwsOptions options, StsStandIn? sts = null, TimeProvider? clock = null, AwsSdkChainSource? chain = null)
    {
        clock ??= Clock();
        var logs = Logs();
        return new AwsSessionProvider(
            Microsoft.Extensions.Options.Options.Create(options),
            sts is null ? StsFactory(options) : StsClients(sts, options),
            TokenSource(new FakeTokenCredential(clock), options, logs),
            chain ?? new AwsSdkChainSource(options.Profile, profilesLocation: null),
            clock,
            logs);
    }
}
