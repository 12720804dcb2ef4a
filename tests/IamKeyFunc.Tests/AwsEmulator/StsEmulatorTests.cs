using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.Tests.AwsEmulator;

/// <summary>STS through the real AWSSDK.SecurityToken client, which proves wire compatibility of both directions.</summary>
public sealed class StsEmulatorTests
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    [Fact]
    public async Task AssumeRoleWithWebIdentity_ShouldIssueSession_WhenTokenMatchesProviderAndTrust()
    {
        await using var emu = await StartAsync();
        using var sts = AnonymousClient(emu);
        var scenario = emu.Scenario;

        var response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = scenario.CentralRoleArn,
            RoleSessionName = "iamkeyfunc-20260915T120000Z",
            WebIdentityToken = TestJwt.ForScenario(scenario, Now.AddHours(1)),
            DurationSeconds = 3600,
        });

        var trust = scenario.CentralRole!.WebIdentity!;
        Assert.StartsWith("ASIA", response.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal(20, response.Credentials.AccessKeyId.Length);
        Assert.False(string.IsNullOrEmpty(response.Credentials.SecretAccessKey));
        Assert.False(string.IsNullOrEmpty(response.Credentials.SessionToken));
        Assert.InRange(response.Credentials.Expiration!.Value.ToUniversalTime(), Now.UtcDateTime.AddMinutes(59), Now.UtcDateTime.AddMinutes(61));
        Assert.Equal($"arn:aws:sts::{scenario.CentralAccount.AccountId}:assumed-role/IamKeyFuncReader/iamkeyfunc-20260915T120000Z", response.AssumedRoleUser.Arn);
        Assert.StartsWith(scenario.CentralRole.RoleId + ":", response.AssumedRoleUser.AssumedRoleId, StringComparison.Ordinal);
        Assert.Equal(trust.Subjects[0], response.SubjectFromWebIdentityToken);
        Assert.Equal(trust.Audience, response.Audience);
        Assert.Equal(scenario.Oidc.Issuer, response.Provider);
        Assert.Equal(1, emu.Stats.Calls("AssumeRoleWithWebIdentity"));
    }

    public static TheoryData<string, string, HttpStatusCode, string> Rejections => new()
    {
        { "audience", "InvalidIdentityToken", HttpStatusCode.BadRequest, "Incorrect token audience" },
        { "issuer", "InvalidIdentityToken", HttpStatusCode.BadRequest, "No OpenIDConnect provider found" },
        { "expired", "ExpiredTokenException", HttpStatusCode.BadRequest, "Token expired" },
        { "subject", "AccessDenied", HttpStatusCode.Forbidden, "Not authorized to perform sts:AssumeRoleWithWebIdentity" },
        { "malformed", "InvalidIdentityToken", HttpStatusCode.BadRequest, "JWT" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task AssumeRoleWithWebIdentity_ShouldAnswerLikeAws_WhenTokenDoesNotMatch(string mismatch, string code, HttpStatusCode status, string message)
    {
        await using var emu = await StartAsync();
        using var sts = AnonymousClient(emu);
        var oidc = emu.Scenario.Oidc;
        var trust = emu.Scenario.CentralRole!.WebIdentity!;
        var token = mismatch switch
        {
            // The managed identity's own exchange token: v2 issuer-less audience GUID.
            "audience" => TestJwt.Create(oidc.Issuer, "fb60f99c-7a34-4190-8149-302f77469936", trust.Subjects[0], Now.AddHours(1)),
            "issuer" => TestJwt.Create("https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0", trust.Audience, trust.Subjects[0], Now.AddHours(1)),
            "expired" => TestJwt.Create(oidc.Issuer, trust.Audience, trust.Subjects[0], Now.AddMinutes(-6)),
            "subject" => TestJwt.Create(oidc.Issuer, trust.Audience, "some-other-principal", Now.AddHours(1)),
            _ => "not-a-jwt",
        };

        var ex = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = emu.Scenario.CentralRoleArn,
            RoleSessionName = "iamkeyfunc",
            WebIdentityToken = token,
        }));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(ex.RequestId));
        Assert.Equal(0, emu.IssuedSessions);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_ShouldAcceptToken_WithinFiveMinutesPastExpiry()
    {
        await using var emu = await StartAsync();
        using var sts = AnonymousClient(emu);
        var trust = emu.Scenario.CentralRole!.WebIdentity!;

        var response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = emu.Scenario.CentralRoleArn,
            RoleSessionName = "iamkeyfunc",
            WebIdentityToken = TestJwt.Create(emu.Scenario.Oidc.Issuer, trust.Audience, trust.Subjects[0], Now.AddMinutes(-4)),
        });

        Assert.NotNull(response.Credentials);
    }

    [Theory]
    [InlineData("x", null)]
    [InlineData("has space", null)]
    [InlineData("iamkeyfunc", 899)]
    [InlineData("iamkeyfunc", 7200)] // the central role allows 3600
    public async Task AssumeRoleWithWebIdentity_ShouldAnswerValidationError_WhenSessionNameOrDurationInvalid(string sessionName, int? duration)
    {
        await using var emu = await StartAsync();
        using var sts = AnonymousClient(emu);

        var ex = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = emu.Scenario.CentralRoleArn,
            RoleSessionName = sessionName,
            WebIdentityToken = TestJwt.ForScenario(emu.Scenario, Now.AddHours(1)),
            DurationSeconds = duration,
        }));

        Assert.Equal("ValidationError", ex.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
    }

    [Fact]
    public async Task AssumeRole_ShouldChainIntoMemberRole_WhenItTrustsTheCentralRole()
    {
        await using var emu = await StartAsync();
        var member = emu.Scenario.Accounts[1];
        var memberRoleArn = member.RoleArn(member.Roles[0]);
        using var central = await CentralClientAsync(emu);

        var response = await central.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = memberRoleArn, RoleSessionName = "iamkeyfunc-member", DurationSeconds = 3600 });

        Assert.StartsWith("ASIA", response.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal($"arn:aws:sts::{member.AccountId}:assumed-role/{member.Roles[0].Name}/iamkeyfunc-member", response.AssumedRoleUser.Arn);
        Assert.Equal(1, emu.Stats.Calls(member.AccountId, "AssumeRole"));
    }

    [Fact]
    public async Task AssumeRole_ShouldAnswerAccessDenied_WhenMemberRoleTrustsSomeoneElse()
    {
        await using var emu = await StartAsync();
        var denying = emu.Scenario.Accounts[^1];
        var roleArn = denying.RoleArn(denying.Roles[0]);
        using var central = await CentralClientAsync(emu);

        var ex = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            central.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "iamkeyfunc-member" }));

        Assert.Equal("AccessDenied", ex.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains($"is not authorized to perform: sts:AssumeRole on resource: {roleArn}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_ShouldRejectMoreThanOneHour_WhenChaining()
    {
        await using var emu = await StartAsync();
        var member = emu.Scenario.Accounts[1];
        member.Roles[0].MaxSessionDurationSeconds = 43200;
        using var central = await CentralClientAsync(emu);

        var ex = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => central.AssumeRoleAsync(
            new AssumeRoleRequest { RoleArn = member.RoleArn(member.Roles[0]), RoleSessionName = "iamkeyfunc-member", DurationSeconds = 3601 }));

        Assert.Equal("ValidationError", ex.ErrorCode);
        Assert.Contains("1 hour session limit for roles assumed by role chaining", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_ShouldRejectUnsignedCall()
    {
        await using var emu = await StartAsync();
        using var sts = AnonymousClient(emu);
        var member = emu.Scenario.Accounts[1];

        var ex = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = member.RoleArn(member.Roles[0]), RoleSessionName = "iamkeyfunc-member" }));

        Assert.Equal("MissingAuthenticationToken", ex.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
    }

    [Fact]
    public async Task Sessions_ShouldBeCappedByMaxSessionDuration()
    {
        await using var emu = await StartAsync(new EmulatorOptions { MaxSessionDuration = TimeSpan.FromMinutes(15) });
        using var sts = AnonymousClient(emu);

        var response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = emu.Scenario.CentralRoleArn,
            RoleSessionName = "iamkeyfunc",
            WebIdentityToken = TestJwt.ForScenario(emu.Scenario, Now.AddHours(1)),
            DurationSeconds = 3600,
        });

        Assert.True(response.Credentials.Expiration!.Value.ToUniversalTime() <= Now.UtcDateTime.AddMinutes(16));
    }

    private static Task<AwsEmulatorServer> StartAsync(EmulatorOptions? options = null) =>
        AwsEmulatorServer.StartAsync(
            ScenarioGenerator.Generate(new ScenarioGeneratorSettings { Accounts = 3, UsersPerAccount = 5, DenyingMemberAccounts = 1 }, Now),
            options);

    private static AmazonSecurityTokenServiceConfig Config(AwsEmulatorServer emu) => new()
    {
        ServiceURL = emu.Endpoint.ToString(),
        AuthenticationRegion = "us-east-1",
        MaxErrorRetry = 0,
    };

    private static AmazonSecurityTokenServiceClient AnonymousClient(AwsEmulatorServer emu) => new(new AnonymousAWSCredentials(), Config(emu));

    private static async Task<AmazonSecurityTokenServiceClient> CentralClientAsync(AwsEmulatorServer emu)
    {
        using var sts = AnonymousClient(emu);
        var session = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = emu.Scenario.CentralRoleArn,
            RoleSessionName = "iamkeyfunc",
            WebIdentityToken = TestJwt.ForScenario(emu.Scenario, Now.AddHours(1)),
        });
        var credentials = new SessionAWSCredentials(session.Credentials.AccessKeyId, session.Credentials.SecretAccessKey, session.Credentials.SessionToken);
        return new AmazonSecurityTokenServiceClient(credentials, Config(emu));
    }
}
