using System.Net;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.Tests.AwsEmulator;

public sealed class IamAuthenticationTests
{
    private const string IamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";

    [Fact]
    public async Task SignedCall_ShouldSucceed_WithTheWireShapeOfTheModel()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        var answer = await client.IamAsync(credentials, "ListUsers");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(IamNamespace, answer.Ns.NamespaceName);
        Assert.Equal("ListUsersResponse", answer.Xml.Root!.Name.LocalName);
        Assert.NotNull(answer.Xml.Root.Element(answer.Ns + "ListUsersResult"));
        var requestId = answer.Xml.Root.Element(answer.Ns + "ResponseMetadata")!.Element(answer.Ns + "RequestId")!.Value;
        Assert.True(Guid.TryParse(requestId, out _));
        Assert.Equal(requestId, answer.Response.Headers.GetValues("x-amzn-RequestId").Single());
        Assert.Equal("text/xml", answer.Response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task TamperedBody_ShouldBeRejectedWithSignatureDoesNotMatch()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        var answer = await client.PostAsync(
            EmulatorTestClient.Parameters("ListUsers", "2010-05-08", ("MaxItems", "10")), credentials,
            tamperBodyAfterSigning: body => body.Replace("MaxItems=10", "MaxItems=11", StringComparison.Ordinal));

        AssertError(answer, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "does not match the signature you provided");
        Assert.Equal("Sender", answer.ErrorType);
        Assert.Equal(1, emu.Stats.RejectedSignatures);
    }

    [Fact]
    public async Task WrongSecret_ShouldBeRejectedWithSignatureDoesNotMatch()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        var answer = await client.IamAsync(credentials with { SecretAccessKey = credentials.SecretAccessKey + "x" }, "ListUsers");

        AssertError(answer, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "signature");
    }

    [Theory]
    [InlineData("unknown-key")]
    [InlineData("wrong-token")]
    [InlineData("missing-token")]
    public async Task UnknownCredentials_ShouldBeRejectedWithInvalidClientTokenId(string variant)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();
        credentials = variant switch
        {
            "unknown-key" => credentials with { AccessKeyId = "ASIAAAAAAAAAAAAAAAAA" },
            "wrong-token" => credentials with { SessionToken = credentials.SessionToken[..^4] + "AAAA" },
            _ => credentials with { SessionToken = "" },
        };

        var answer = await client.IamAsync(credentials, "ListUsers");

        AssertError(answer, HttpStatusCode.Forbidden, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task UnsignedCall_ShouldBeRejectedWithMissingAuthenticationToken()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);

        var answer = await client.PostAsync(EmulatorTestClient.Parameters("ListUsers", "2010-05-08"));

        AssertError(answer, HttpStatusCode.Forbidden, "MissingAuthenticationToken", "missing Authentication Token");
    }

    [Fact]
    public async Task ExpiredSession_ShouldBeRejectedWithExpiredToken_AndANewSessionWorks()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        time.Advance(TimeSpan.FromMinutes(61));
        var expired = await client.IamAsync(credentials, "ListUsers");
        var renewed = await client.IamAsync(await client.AssumeCentralRoleAsync(), "ListUsers");

        AssertError(expired, HttpStatusCode.Forbidden, "ExpiredToken", "The security token included in the request is expired");
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
    }

    [Fact]
    public async Task ExpireAllSessions_ShouldExpireIssuedSessionsImmediately()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        emu.ExpireAllSessions();
        var answer = await client.IamAsync(credentials, "ListUsers");

        AssertError(answer, HttpStatusCode.Forbidden, "ExpiredToken", "expired");
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task RequestDate_MoreThanFiveMinutesOff_ShouldBeRejected(int minutes)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        var answer = await client.PostAsync(EmulatorTestClient.Parameters("ListUsers", "2010-05-08"), credentials,
            signingTime: time.GetUtcNow().AddMinutes(minutes));

        AssertError(answer, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", minutes < 0 ? "Signature expired" : "Signature not yet current");
    }

    [Theory]
    [InlineData("iam", "eu-west-1", "valid region")]
    [InlineData("sts", "us-east-1", "correct service")]
    public async Task CredentialScope_ShouldNameIamAndThePartitionRegion(string service, string region, string message)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        var answer = await client.PostAsync(EmulatorTestClient.Parameters("ListUsers", "2010-05-08"), credentials, service, region);

        AssertError(answer, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", message);
    }

    [Fact]
    public async Task ChinaPartitionAccount_ShouldExpectItsHomeSigningRegion()
    {
        var scenario = ScenarioGenerator.Generate(new ScenarioGeneratorSettings { Partition = "aws-cn", UsersPerAccount = 3 }, EmulatorHarness.Start);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var credentials = await client.AssumeCentralRoleAsync();

        var cn = await client.PostAsync(EmulatorTestClient.Parameters("ListUsers", "2010-05-08"), credentials, region: "cn-north-1");
        var us = await client.PostAsync(EmulatorTestClient.Parameters("ListUsers", "2010-05-08"), credentials, region: "us-east-1");

        Assert.Equal(HttpStatusCode.OK, cn.Status);
        Assert.StartsWith("arn:aws-cn:iam::", cn.Values("Arn")[0], StringComparison.Ordinal);
        Assert.Equal("SignatureDoesNotMatch", us.ErrorCode);
    }

    [Fact]
    public async Task ChainedSession_ShouldActOnTheMemberAccount()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 2));
        var (emu, time, client) = (h.Emulator, h.Time, h.Client);
        var member = emu.Scenario.Accounts[1];
        var central = await client.AssumeCentralRoleAsync();
        var chained = await client.AssumeRoleAsync(central, member.RoleArn(member.Roles[0]));

        var aliases = await client.IamAsync(chained, "ListAccountAliases");
        var users = await client.IamAsync(chained, "ListUsers", ("MaxItems", "1000"));

        Assert.Equal([member.Alias!], aliases.Values("member"));
        Assert.Equal(member.Users.Select(u => u.UserName), users.Values("UserName"));
        Assert.Equal(2, emu.Stats.CallsForAccount(member.AccountId) - emu.Stats.Calls(member.AccountId, "AssumeRole"));
    }

    internal static void AssertError(AwsAnswer answer, HttpStatusCode status, string code, string messagePart)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal("ErrorResponse", answer.Xml.Root!.Name.LocalName);
        Assert.Equal(code, answer.ErrorCode);
        Assert.Contains(messagePart, answer.ErrorMessage, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(answer.Value("RequestId")));
    }
}
