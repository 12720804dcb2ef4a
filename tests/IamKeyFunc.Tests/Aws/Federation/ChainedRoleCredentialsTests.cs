using System.Net;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using static IamKeyFunc.Tests.Aws.Federation.FederationTestKit;

namespace IamKeyFunc.Tests.Aws.Federation;

public sealed class ChainedRoleCredentialsTests
{
    private const string MemberRoleArn = "arn:aws:iam::444455556666:role/IamKeyFuncMember";

    [Fact]
    public async Task GetCredentialsAsync_ShouldSignAssumeRoleWithTheSourceSession_AndCapTheDurationAtOneHour()
    {
        // Arrange: the central session asks for 2 h; the chained one must ask for at most 1 h.
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        using var logs = Logs();
        var options = Options(o => o.SessionDurationSeconds = 7200);
        var (central, member) = Chain(sts, options, clock, logs);

        // Act
        var result = await member.GetCredentialsAsync();

        // Assert
        Assert.Equal(2, sts.CallCount);
        var assumeRole = sts.Calls[1];
        Assert.Equal("AssumeRole", assumeRole.Action);
        Assert.Equal(MemberRoleArn, assumeRole["RoleArn"]);
        Assert.Equal("3600", assumeRole["DurationSeconds"]);
        Assert.True(RoleSessionName.IsValid(assumeRole["RoleSessionName"]));
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=ASIATESTKEY000000001/\d{8}/us-east-1/sts/aws4_request", assumeRole.Authorization);
        Assert.Equal($"session-token-1-{SecretMarker}", assumeRole.SecurityToken);
        Assert.Equal("7200", sts.Calls[0]["DurationSeconds"]);
        Assert.Equal(3600, member.DurationSeconds);
        Assert.Equal("ASIATESTKEY000000002", result.AccessKey);
        Assert.Equal(Start.AddHours(1).UtcDateTime, member.Expiration);
        Assert.DoesNotContain(SecretMarker, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, central.ToString() + member.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldSayWhatTheMemberRoleMustTrust_WhenAssumeRoleIsDenied()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(call => call.Action == "AssumeRole"
            ? StsReply.Error(HttpStatusCode.Forbidden, "AccessDenied", $"User: arn:aws:sts::111122223333:assumed-role/IamKeyFuncReader/x is not authorized to perform: sts:AssumeRole on resource: {call["RoleArn"]}")
            : FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var (_, member) = Chain(sts, Options(), clock, logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => member.GetCredentialsAsync());

        // Assert
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal((int)HttpStatusCode.Forbidden, error.Status);
        Assert.Equal(MemberRoleArn, error.RoleArn);
        Assert.Contains($"Check that the role trusts {CentralRoleArn}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldRefreshTheSourceAndRetryOnce_WhenStsSaysTheSourceTokenExpired()
    {
        // Arrange: the first AssumeRole is refused as signed by an expired session.
        var clock = Clock();
        var number = 0;
        var assumeRoles = 0;
        await using var sts = await StsStandIn.StartAsync(call =>
            call.Action == "AssumeRole" && Interlocked.Increment(ref assumeRoles) == 1
                ? StsReply.Error(HttpStatusCode.Forbidden, "ExpiredToken", "The security token included in the request is expired")
                : FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        using var logs = Logs();
        var (central, member) = Chain(sts, Options(), clock, logs);

        // Act
        var result = await member.GetCredentialsAsync();

        // Assert: web identity, refused AssumeRole, web identity again, AssumeRole signed with the new session.
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRole"], sts.Calls.Select(c => c.Action));
        Assert.Contains("Credential=ASIATESTKEY000000002/", sts.Calls[3].Authorization, StringComparison.Ordinal);
        Assert.Equal("ASIATESTKEY000000003", result.AccessKey);
        Assert.Equal("ASIATESTKEY000000002", (await central.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldCarryTheSourceError_WhenTheCentralSessionCannotBeHad()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => StsReply.Error(HttpStatusCode.BadRequest, "InvalidIdentityToken", "Incorrect token audience"));
        using var logs = Logs();
        var (_, member) = Chain(sts, Options(o => o.StsMaxErrorRetry = 0), clock, logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => member.GetCredentialsAsync());

        // Assert: the member reports the central failure, under its own role.
        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Assert.Equal(MemberRoleArn, error.RoleArn);
        Assert.Contains("source session failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("v1 tokens", error.Message, StringComparison.Ordinal);
        Assert.Equal(["AssumeRoleWithWebIdentity"], sts.Calls.Select(c => c.Action));
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldRefreshTheMemberAndNotTheCentral_WhenOnlyTheMemberIsInItsWindow()
    {
        // Arrange: central 2 h, member 1 h.
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(call => FederationTestKit.Credentials(
            clock, Interlocked.Increment(ref number), TimeSpan.FromSeconds(int.Parse(call["DurationSeconds"], System.Globalization.CultureInfo.InvariantCulture))));
        using var logs = Logs();
        var (_, member) = Chain(sts, Options(o => o.SessionDurationSeconds = 7200), clock, logs);
        await member.GetCredentialsAsync();

        // Act
        clock.Advance(TimeSpan.FromMinutes(55));
        var refreshed = await member.GetCredentialsAsync();

        // Assert
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRole"], sts.Calls.Select(c => c.Action));
        Assert.Equal("ASIATESTKEY000000003", refreshed.AccessKey);
        Assert.Contains("Credential=ASIATESTKEY000000001/", sts.Calls[2].Authorization, StringComparison.Ordinal);
    }

    private static (WebIdentityCredentials Central, ChainedRoleCredentials Member) Chain(
        StsStandIn sts, Reporting.Configuration.AwsOptions options, TimeProvider clock, CapturingLoggerFactory logs)
    {
        var central = WebIdentity(sts, options, clock, new FakeTokenCredential(clock), logs);
        var member = new ChainedRoleCredentials(
            StsClients(sts, options).Create(AwsPartition.Aws, central),
            central,
            MemberRoleArn,
            options,
            clock,
            logs.CreateLogger<ChainedRoleCredentials>());
        return (central, member);
    }
}
