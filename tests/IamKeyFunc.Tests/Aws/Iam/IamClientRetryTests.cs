using System.Net;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

public class IamClientRetryTests
{
    private static readonly string OneUser = IamWire.Users(false, null, "alice");

    [Fact]
    public async Task ThrottlingStorm_RecoversAndCountsThrottledResponsesAndRetries()
    {
        var handler = new StubIamHandler(r => r.Index <= 3 ? IamWire.Throttling() : IamWire.Ok("ListUsers", OneUser));
        var client = IamTestClients.Create(handler, options: IamTestClients.FastOptions(maxAttempts: 4));

        var page = await client.ListUsersAsync();

        Assert.Equal("alice", Assert.Single(page.Items).UserName);
        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(4, client.Stats.ApiCalls["ListUsers"]);
        Assert.Equal(3, client.Stats.ThrottledResponses);
        Assert.Equal(3, client.Stats.Retries);
    }

    [Fact]
    public async Task ExhaustedAttempts_ThrowIamExceptionWithTheCodeAndAttemptCount()
    {
        var handler = new StubIamHandler(_ => IamWire.Throttling());
        var client = IamTestClients.Create(handler, options: IamTestClients.FastOptions(maxAttempts: 3));

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("Throttling", ex.ErrorCode);
        Assert.Equal(400, ex.Status);
        Assert.Equal("req-error", ex.RequestId);
        Assert.Equal(3, ex.Attempts);
        Assert.True(ex.IsThrottling);
        Assert.Contains("after 3 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(3, client.Stats.ThrottledResponses);
        Assert.Equal(2, client.Stats.Retries);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied")]
    [InlineData(HttpStatusCode.Forbidden, "InvalidClientTokenId")]
    [InlineData(HttpStatusCode.Forbidden, "SignatureDoesNotMatch")]
    [InlineData(HttpStatusCode.NotFound, "NoSuchEntity")]
    [InlineData(HttpStatusCode.BadRequest, "ValidationError")]
    public async Task ClientErrors_AreNotRetried(HttpStatusCode status, string code)
    {
        var handler = new StubIamHandler(_ => IamWire.Error(status, code));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListAccessKeysAsync("alice"));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal((int)status, ex.Status);
        Assert.Equal(1, ex.Attempts);
        Assert.Single(handler.Requests);
        Assert.Equal(0, client.Stats.Retries);
    }

    [Fact]
    public async Task ServerErrorsTimeoutsAndConnectionFaults_AreRetried()
    {
        var handler = new StubIamHandler((r, _) => r.Index switch
        {
            1 => Task.FromResult(IamWire.Error(HttpStatusCode.InternalServerError, "InternalFailure", type: "Receiver")),
            2 => Task.FromResult(IamWire.Text(HttpStatusCode.ServiceUnavailable, "<html>busy</html>")),
            3 => throw new HttpRequestException("Connection refused"),
            4 => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"),
            5 => Task.FromResult(IamWire.Error(HttpStatusCode.BadRequest, "ServiceUnavailable")),
            _ => Task.FromResult(IamWire.Ok("ListUsers", OneUser)),
        });
        var client = IamTestClients.Create(handler, options: IamTestClients.FastOptions(maxAttempts: 6));

        var page = await client.ListUsersAsync();

        Assert.Single(page.Items);
        Assert.Equal(6, handler.Requests.Count);
        Assert.Equal(5, client.Stats.Retries);
        Assert.Equal(0, client.Stats.ThrottledResponses);
    }

    [Fact]
    public async Task ConnectionFaults_ThatPersist_SurfaceAsConnectionFailure()
    {
        var handler = new StubIamHandler((_, _) => throw new HttpRequestException("Connection refused"));
        var client = IamTestClients.Create(handler, options: IamTestClients.FastOptions(maxAttempts: 2));

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal(IamErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.Equal(0, ex.Status);
        Assert.Equal(2, ex.Attempts);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task CallerCancellation_IsNotRetried()
    {
        using var cts = new CancellationTokenSource();
        var handler = new StubIamHandler((_, ct) =>
        {
            cts.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(IamWire.Ok("ListUsers", OneUser));
        });
        var client = IamTestClients.Create(handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListUsersAsync(cancellationToken: cts.Token));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task EveryAttempt_IsSignedAfreshWithTheCurrentCredentialsAndTime()
    {
        var handler = new StubIamHandler(r => r.Index <= 2 ? IamWire.Throttling() : IamWire.Ok("ListUsers", OneUser));
        var client = IamTestClients.Create(handler, new RotatingCredentials(), timeProvider: new SteppingTimeProvider(new DateTimeOffset(2026, 9, 15, 12, 0, 0, TimeSpan.Zero)));

        await client.ListUsersAsync();

        var requests = handler.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(3, requests.Select(r => r.Headers["X-Amz-Date"]).Distinct().Count());
        Assert.Equal(["rotating-token-1", "rotating-token-2", "rotating-token-3"], requests.Select(r => r.Headers["X-Amz-Security-Token"]));
        for (int i = 0; i < requests.Count; i++)
        {
            int n = i + 1;
            SignatureAssert.Valid(requests[i], new ImmutableCredentials($"ASIAROTATE{n:D4}", $"rotating-secret-{n}", $"rotating-token-{n}"));
        }
    }

    [Fact]
    public async Task Requests_AreFormEncodedRfc3986AndSignedOverTheExactBytesSent()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("ListAccessKeys", "<AccessKeyMetadata/><IsTruncated>false</IsTruncated>"));
        var credentials = new SessionAWSCredentials("ASIATESTACCESSKEY", "test-secret-key", "test-session-token");
        var client = IamTestClients.Create(handler, credentials);

        await client.ListAccessKeysAsync("a+b=c,d.e@f-g_h ü");

        var request = Assert.Single(handler.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Headers["Content-Type"]);
        Assert.Equal("Action=ListAccessKeys&Version=2010-05-08&UserName=a%2Bb%3Dc%2Cd.e%40f-g_h%20%C3%BC", request.BodyText);
        Assert.Equal("iam.amazonaws.com", request.Headers["Host"]);
        Assert.Contains("/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, ", request.Headers["Authorization"], StringComparison.Ordinal);
        SignatureAssert.Valid(request, credentials.GetCredentials());
    }

    [Fact]
    public async Task ExpiredToken_RefreshesTheCredentialsOnceAndRetries()
    {
        var credentials = new CountingRefreshingCredentials();
        var handler = new StubIamHandler(r => r.Index == 1
            ? IamWire.Error(HttpStatusCode.Forbidden, "ExpiredToken", "The security token included in the request is expired")
            : IamWire.Ok("ListUsers", OneUser));
        var client = IamTestClients.Create(handler, credentials);

        await client.ListUsersAsync();

        Assert.Equal(["token-1", "token-2"], handler.Requests.Select(r => r.Headers["X-Amz-Security-Token"]));
        Assert.Equal(2, credentials.Generations);
        Assert.Equal(1, client.Stats.CredentialRefreshes);
    }

    [Fact]
    public async Task ExpiredToken_ArrivingAfterAnotherCallerRefreshed_DoesNotDropTheNewSession()
    {
        // A is signed with session 1 and answered late; B, also on session 1, is rejected, refreshes to session 2 and
        // succeeds first. A's ExpiredToken must then retry on session 2 rather than throw session 2 away.
        var session = new CountingStsSession(TimeProvider.System);
        var aReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StubIamHandler(async (r, _) =>
        {
            if (r.Headers["X-Amz-Security-Token"] != "sts-token-1")
            {
                return IamWire.Ok("ListUsers", OneUser);
            }

            if (r.Index == 1)
            {
                aReceived.SetResult();
                await releaseA.Task;
            }

            return IamWire.Error(HttpStatusCode.Forbidden, "ExpiredToken", "The security token included in the request is expired");
        });
        var client = IamTestClients.Create(handler, session);

        var a = client.ListUsersAsync();
        await aReceived.Task;
        await client.ListUsersAsync();
        releaseA.SetResult();
        await a;

        Assert.Equal(2, session.StsCalls);
        Assert.Equal(["sts-token-1", "sts-token-1", "sts-token-2", "sts-token-2"], handler.Requests.Select(r => r.Headers["X-Amz-Security-Token"]));
        Assert.Equal(2, client.Stats.CredentialRefreshes);
    }

    [Fact]
    public async Task ExpiredToken_AfterARefresh_Surfaces()
    {
        var credentials = new CountingRefreshingCredentials();
        var handler = new StubIamHandler(_ => IamWire.Error(HttpStatusCode.Forbidden, "ExpiredToken"));
        var client = IamTestClients.Create(handler, credentials);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("ExpiredToken", ex.ErrorCode);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task ExpiredToken_WithCredentialsThatCannotRefresh_SurfacesAtOnce()
    {
        var handler = new StubIamHandler(_ => IamWire.Error(HttpStatusCode.Forbidden, "ExpiredToken"));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal(1, ex.Attempts);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ConcurrentCalls_NeverExceedTheAccountsConcurrencyBound()
    {
        int inFlight = 0;
        int maxInFlight = 0;
        var handler = new StubIamHandler(async (r, ct) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(10, ct);
            Interlocked.Decrement(ref inFlight);
            return IamWire.Ok("GetAccessKeyLastUsed", "<UserName>alice</UserName><AccessKeyLastUsed><Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>");
        });
        var client = IamTestClients.Create(handler, options: IamTestClients.FastOptions(maxConcurrency: 3));

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.GetAccessKeyLastUsedAsync($"AKIAEXAMPLE{i:D8}")));

        Assert.Equal(12, handler.Requests.Count);
        Assert.InRange(maxInFlight, 1, 3);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
