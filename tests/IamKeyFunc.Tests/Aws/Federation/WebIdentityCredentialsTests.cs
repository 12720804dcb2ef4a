using System.Net;
using Azure.Core;
using IamKeyFunc.Reporting.Aws.Federation;
using static IamKeyFunc.Tests.Aws.Federation.FederationTestKit;

namespace IamKeyFunc.Tests.Aws.Federation;

public sealed class WebIdentityCredentialsTests
{
    [Fact]
    public async Task GetCredentialsAsync_ShouldCallStsOnce_When50CallersRaceForTheFirstSession()
    {
        // Arrange: STS holds its answer until the test releases it, so callers pile up behind the first refresh.
        var clock = Clock();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCallArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(async _ =>
        {
            firstCallArrived.TrySetResult();
            await release.Task;
            return FederationTestKit.Credentials(clock, Interlocked.Increment(ref number));
        });
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => credentials.GetCredentialsAsync())).ToList();
        await firstCallArrived.Task;
        release.SetResult();
        var results = await Task.WhenAll(callers);

        // Assert
        Assert.Equal(1, sts.CallCount);
        Assert.All(results, result => Assert.Equal("ASIATESTKEY000000001", result.AccessKey));
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldCallStsOnceAndShareTheError_When50CallersRaceAndStsDenies()
    {
        // Arrange
        var clock = Clock();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCallArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sts = await StsStandIn.StartAsync(async _ =>
        {
            firstCallArrived.TrySetResult();
            await release.Task;
            return StsReply.Error(HttpStatusCode.Forbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        });
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => credentials.GetCredentialsAsync())).ToList();
        await firstCallArrived.Task;
        release.SetResult();
        var errors = await Task.WhenAll(callers.Select(c => Assert.ThrowsAsync<AwsFederationException>(() => c)));

        // Assert
        Assert.Equal(1, sts.CallCount);
        Assert.All(errors, e => Assert.Equal("AccessDenied", e.ErrorCode));
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldReturnTheCachedSession_WhenBeforeTheRefreshWindow()
    {
        // Arrange
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);
        var first = await credentials.GetCredentialsAsync();

        // Act: 49 minutes into a one-hour session with a 10-minute window.
        clock.Advance(TimeSpan.FromMinutes(49));
        var second = await credentials.GetCredentialsAsync();

        // Assert
        Assert.Equal(1, sts.CallCount);
        Assert.Same(first, second);
        Assert.Equal(Start.AddMinutes(50), credentials.RefreshAt);
        Assert.Equal(Start.AddHours(1).UtcDateTime, credentials.Expiration);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldRefresh_WhenInsideThePreemptWindow()
    {
        // Arrange
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);
        await credentials.GetCredentialsAsync();

        // Act: 51 minutes in; the session is still valid for 9 minutes.
        clock.Advance(TimeSpan.FromMinutes(51));
        var refreshed = await credentials.GetCredentialsAsync();

        // Assert
        Assert.Equal(2, sts.CallCount);
        Assert.Equal("ASIATESTKEY000000002", refreshed.AccessKey);
        Assert.Equal(clock.GetUtcNow().AddHours(1).UtcDateTime, credentials.Expiration);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldKeepTheValidSessionAndWaitBeforeRetrying_WhenAnEarlyRefreshFails()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);
        var first = await credentials.GetCredentialsAsync();
        sts.Answer(_ => StsReply.Error(HttpStatusCode.Forbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));
        clock.Advance(TimeSpan.FromMinutes(51));

        // Act
        var duringFailure = await credentials.GetCredentialsAsync();
        var withinCooldown = await credentials.GetCredentialsAsync();

        // Assert: the failed early refresh is logged, the valid session is used, and STS is not hammered.
        Assert.Same(first, duringFailure);
        Assert.Same(first, withinCooldown);
        Assert.Equal(2, sts.CallCount);
        Assert.Contains(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Early refresh", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldRefreshInTheCallersPath_WhenTheSessionHasExpired()
    {
        // Arrange
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);
        await credentials.GetCredentialsAsync();
        sts.Answer(_ => StsReply.Error(HttpStatusCode.Forbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));

        // Act: past expiry, a failure reaches the caller (unlike an early refresh) ...
        clock.Advance(TimeSpan.FromMinutes(61));
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());
        var reused = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());
        sts.Answer(_ => FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        clock.Advance(TimeSpan.FromSeconds(6));
        var refreshed = await credentials.GetCredentialsAsync();

        // ... is shared with a caller right behind it, and a later caller refreshes.
        Assert.Same(error, reused);
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(3, sts.CallCount);
        Assert.StartsWith("ASIATESTKEY", refreshed.AccessKey, StringComparison.Ordinal);
        Assert.Equal(clock.GetUtcNow().AddHours(1).UtcDateTime, credentials.Expiration);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldThrow_WhenStsReturnsCredentialsThatAreAlreadyExpired()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1, TimeSpan.FromMinutes(-5)));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal(AwsFederationException.CredentialsAlreadyExpired, error.ErrorCode);
        Assert.Contains("host clock", error.Message, StringComparison.Ordinal);
        Assert.Null(credentials.Expiration);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldSendAnUnsignedAssumeRoleWithWebIdentity_WithTheTokenSessionNameAndDuration()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var tokens = new FakeTokenCredential(clock);
        var options = Options(o => { o.SessionDurationSeconds = 7200; o.SessionNamePrefix = "keyreport"; });
        var credentials = WebIdentity(sts, options, clock, tokens, logs);

        // Act
        var result = await credentials.GetCredentialsAsync();

        // Assert
        var call = Assert.Single(sts.Calls);
        Assert.Equal("AssumeRoleWithWebIdentity", call.Action);
        Assert.Equal("2011-06-15", call["Version"]);
        Assert.Equal(CentralRoleArn, call["RoleArn"]);
        Assert.Equal("7200", call["DurationSeconds"]);
        Assert.Equal("keyreport-20260915T120000", call["RoleSessionName"]);
        Assert.True(RoleSessionName.IsValid(call["RoleSessionName"]));
        Assert.Contains(SecretMarker, call["WebIdentityToken"], StringComparison.Ordinal);
        Assert.Empty(call["ProviderId"]);
        Assert.Null(call.Authorization);
        Assert.Equal([Audience + "/.default"], tokens.Scopes);
        Assert.Equal("keyreport-20260915T120000", credentials.SessionName);
        Assert.Equal($"secret-1-{SecretMarker}", result.SecretKey);
        Assert.Equal($"session-token-1-{SecretMarker}", result.Token);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldExplainV1TokensAndTheClientId_WhenStsSaysIncorrectTokenAudience()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => StsReply.Error(HttpStatusCode.BadRequest, "InvalidIdentityToken", "Incorrect token audience"));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(o => o.StsMaxErrorRetry = 0), clock, new FakeTokenCredential(clock), logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Assert.Equal((int)HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(CentralRoleArn, error.RoleArn);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Contains("v1 tokens", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Audience}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ver=1.0", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.RequestId!, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, sts.CallCount);
        AssertNoSecrets(error, logs);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldPointAtTheTrustPolicyAudienceAndSubject_WhenStsDeniesAccess()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => StsReply.Error(HttpStatusCode.Forbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal((int)HttpStatusCode.Forbidden, error.Status);
        Assert.Contains(":aud' = '" + Audience + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains("':sub' = the managed identity's object (principal) ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("sub=" + ManagedIdentityObjectId, error.Message, StringComparison.Ordinal);
        AssertNoSecrets(error, logs);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldFetchANewEntraTokenAndRetryOnce_WhenStsSaysTheTokenExpired()
    {
        // Arrange
        var clock = Clock();
        var attempt = 0;
        await using var sts = await StsStandIn.StartAsync(_ => Interlocked.Increment(ref attempt) == 1
            ? StsReply.Error(HttpStatusCode.BadRequest, "ExpiredTokenException", "Token expired: current date/time 1 must be before the expiration date/time 0")
            : FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var tokens = new FakeTokenCredential(clock);
        var credentials = WebIdentity(sts, Options(), clock, tokens, logs);

        // Act
        var result = await credentials.GetCredentialsAsync();

        // Assert
        Assert.Equal("ASIATESTKEY000000001", result.AccessKey);
        Assert.Equal(2, sts.CallCount);
        Assert.Equal(2, tokens.Requests);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldGiveUpAfterOneRetry_WhenStsKeepsSayingTheTokenExpired()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => StsReply.Error(HttpStatusCode.BadRequest, "ExpiredTokenException", "Token expired"));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal("ExpiredTokenException", error.ErrorCode);
        Assert.Equal(2, sts.CallCount);
        Assert.Contains("host clock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldRetryIdpCommunicationErrors_UpToStsMaxErrorRetry()
    {
        // Arrange: two IDPCommunicationErrors, then success; the SDK retries (StsMaxErrorRetry = 2, 10 ms backoff cap).
        var clock = Clock();
        var attempt = 0;
        await using var sts = await StsStandIn.StartAsync(_ => Interlocked.Increment(ref attempt) <= 2
            ? StsReply.Error(HttpStatusCode.BadRequest, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider")
            : FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var result = await credentials.GetCredentialsAsync();

        // Assert
        Assert.Equal("ASIATESTKEY000000001", result.AccessKey);
        Assert.Equal(3, sts.CallCount);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldFailWithIdpCommunicationError_WhenItPersists()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => StsReply.Error(HttpStatusCode.BadRequest, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider"));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(o => o.StsMaxErrorRetry = 1), clock, new FakeTokenCredential(clock), logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal("IDPCommunicationError", error.ErrorCode);
        Assert.Equal(2, sts.CallCount);
        Assert.Contains("transient", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentialsAsync_ShouldReportEntraTokenUnavailable_WhenTheTokenCredentialFails()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var tokens = new FakeTokenCredential(clock)
        {
            Next = _ => throw new Azure.Identity.CredentialUnavailableException("ManagedIdentityCredential authentication unavailable."),
        };
        var credentials = WebIdentity(sts, Options(), clock, tokens, logs);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal(AwsFederationException.EntraTokenUnavailable, error.ErrorCode);
        Assert.Contains(Audience + "/.default", error.Message, StringComparison.Ordinal);
        Assert.Contains("IamKey:Identity:ManagedIdentityClientId", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sts.CallCount);
    }

    [Fact]
    public async Task Invalidate_ShouldCauseOneRefresh_WhenManyCallersReportTheSameRejectedCredentials()
    {
        // Arrange
        var clock = Clock();
        var number = 0;
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, Interlocked.Increment(ref number)));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);
        var rejected = await credentials.GetCredentialsAsync();

        // Act: 20 IAM calls all got ExpiredToken with the same credentials.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            credentials.Invalidate(rejected);
            return await credentials.GetCredentialsAsync();
        })));

        // Assert
        Assert.Equal(2, sts.CallCount);
        Assert.All(results, r => Assert.Equal("ASIATESTKEY000000002", r.AccessKey));
    }

    [Fact]
    public async Task ForceRefreshAsync_ShouldRefreshOnce_WhenCallersQueueBehindOneRefresh()
    {
        // Arrange
        var clock = Clock();
        var number = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refreshArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sts = await StsStandIn.StartAsync(async _ =>
        {
            var n = Interlocked.Increment(ref number);
            if (n > 1)
            {
                refreshArrived.TrySetResult();
                await release.Task;
            }

            return FederationTestKit.Credentials(clock, n);
        });
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);
        await credentials.GetCredentialsAsync();

        // Act
        var first = credentials.ForceRefreshAsync();
        await refreshArrived.Task;
        var queued = Enumerable.Range(0, 10).Select(_ => credentials.ForceRefreshAsync()).ToList();
        release.SetResult();
        var results = await Task.WhenAll(queued.Prepend(first));

        // Assert
        Assert.Equal(2, sts.CallCount);
        Assert.All(results, r => Assert.Equal("ASIATESTKEY000000002", r.AccessKey));
    }

    [Fact]
    public async Task ToStringAndLogs_ShouldNeverContainTheTokenSecretKeyOrSessionToken()
    {
        // Arrange
        var clock = Clock();
        await using var sts = await StsStandIn.StartAsync(_ => FederationTestKit.Credentials(clock, 1));
        using var logs = Logs();
        var credentials = WebIdentity(sts, Options(), clock, new FakeTokenCredential(clock), logs);

        // Act
        var result = await credentials.GetCredentialsAsync();
        var token = await TokenSource(new FakeTokenCredential(clock), Options(), logs).GetTokenAsync();
        var printed = string.Join('\n', credentials.ToString(), result.ToString(), token.ToString());

        // Assert
        Assert.DoesNotContain(SecretMarker, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, logs.AllText, StringComparison.Ordinal);
        Assert.Contains(CentralRoleArn, credentials.ToString(), StringComparison.Ordinal);
        Assert.Contains("refreshed", logs.AllText, StringComparison.Ordinal);
    }

    private static void AssertNoSecrets(Exception error, CapturingLoggerFactory logs)
    {
        Assert.DoesNotContain(SecretMarker, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, logs.AllText, StringComparison.Ordinal);
    }
}
