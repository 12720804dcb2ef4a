using System.Net;
using IamKeyFunc.AwsEmulator;
using static IamKeyFunc.Tests.AwsEmulator.IamAuthenticationTests;

namespace IamKeyFunc.Tests.AwsEmulator;

public sealed class ThrottlingAndFaultTests
{
    [Fact]
    public async Task RateLimit_ShouldAnswerThrottlingWithHttp400_WhenTheBucketIsEmpty_AndRefillOverTime()
    {
        await using var h = await EmulatorHarness.StartAsync(configure: o => o.RateLimit = new EmulatorRateLimit(CallsPerSecond: 10, Burst: 5));
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var burst = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            burst.Add((await h.Client.IamAsync(credentials, "ListAccountAliases")).Status);
        }

        var throttled = await h.Client.IamAsync(credentials, "ListAccountAliases");
        h.Time.Advance(TimeSpan.FromMilliseconds(100)); // one token at 10/s
        var refilled = await h.Client.IamAsync(credentials, "ListAccountAliases");
        var throttledAgain = await h.Client.IamAsync(credentials, "ListAccountAliases");

        Assert.All(burst, s => Assert.Equal(HttpStatusCode.OK, s));
        AssertError(throttled, HttpStatusCode.BadRequest, "Throttling", "Rate exceeded");
        Assert.Equal(HttpStatusCode.OK, refilled.Status);
        Assert.Equal("Throttling", throttledAgain.ErrorCode);
        Assert.Equal(2, h.Emulator.Stats.ThrottledResponses);
        Assert.Equal(8, h.Emulator.Stats.Calls("ListAccountAliases"));
    }

    [Fact]
    public async Task RateLimit_ShouldApplyPerAccount()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 2), o => o.RateLimit = new EmulatorRateLimit(1, 1));
        var member = h.Emulator.Scenario.Accounts[1];
        var central = await h.Client.AssumeCentralRoleAsync();
        var chained = await h.Client.AssumeRoleAsync(central, member.RoleArn(member.Roles[0]));

        var first = await h.Client.IamAsync(central, "ListUsers");
        var second = await h.Client.IamAsync(central, "ListUsers");
        var otherAccount = await h.Client.IamAsync(chained, "ListUsers");

        Assert.Equal((HttpStatusCode.OK, "Throttling", HttpStatusCode.OK), (first.Status, second.ErrorCode, otherAccount.Status));
    }

    [Fact]
    public async Task RateLimit_ShouldFollowChangesWhileRunning()
    {
        await using var h = await EmulatorHarness.StartAsync(configure: o => o.RateLimit = new EmulatorRateLimit(1, 1));
        var credentials = await h.Client.AssumeCentralRoleAsync();
        await h.Client.IamAsync(credentials, "ListUsers");
        var limited = await h.Client.IamAsync(credentials, "ListUsers");

        h.Emulator.Options.RateLimit = null;
        var unlimited = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => h.Client.IamAsync(credentials, "ListUsers")));

        Assert.Equal("Throttling", limited.ErrorCode);
        Assert.All(unlimited, a => Assert.Equal(HttpStatusCode.OK, a.Status));
    }

    [Fact]
    public async Task FailNext_ShouldAnswerTheInjectedErrorForThatManyCalls()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var credentials = await h.Client.AssumeCentralRoleAsync();
        h.Emulator.Options.Faults.FailNext("ListUsers", 2, "ServiceFailure", 500, "injected");

        var other = await h.Client.IamAsync(credentials, "ListAccountAliases");
        var first = await h.Client.IamAsync(credentials, "ListUsers");
        var second = await h.Client.IamAsync(credentials, "ListUsers");
        var third = await h.Client.IamAsync(credentials, "ListUsers");

        Assert.Equal(HttpStatusCode.OK, other.Status);
        AssertError(first, HttpStatusCode.InternalServerError, "ServiceFailure", "injected");
        Assert.Equal("Receiver", first.ErrorType);
        Assert.Equal("ServiceFailure", second.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal(2, h.Emulator.Stats.InjectedFaults);
        Assert.Equal(2, h.Emulator.Stats.ErrorsByCode["ServiceFailure"]);
    }

    [Fact]
    public async Task FailRandomly_ShouldOnlyHitTheNamedAccount()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 2));
        var member = h.Emulator.Scenario.Accounts[1];
        var central = await h.Client.AssumeCentralRoleAsync();
        var chained = await h.Client.AssumeRoleAsync(central, member.RoleArn(member.Roles[0]));
        h.Emulator.Options.Faults.FailRandomly(EmulatorFaults.AnyOperation, 1.0, "Throttling", 400, "Rate exceeded", accountId: member.AccountId);

        var centralAnswer = await h.Client.IamAsync(central, "ListUsers");
        var memberAnswer = await h.Client.IamAsync(chained, "ListUsers");
        h.Emulator.Options.Faults.Clear();
        var afterClear = await h.Client.IamAsync(chained, "ListUsers");

        Assert.Equal(HttpStatusCode.OK, centralAnswer.Status);
        Assert.Equal("Throttling", memberAnswer.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, afterClear.Status);
    }

    [Fact]
    public async Task AbortNext_ShouldDropTheConnectionWithoutAnAnswer()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var credentials = await h.Client.AssumeCentralRoleAsync();
        h.Emulator.Options.Faults.AbortNext("ListUsers", 1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => h.Client.IamAsync(credentials, "ListUsers"));
        var next = await h.Client.IamAsync(credentials, "ListUsers");

        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task FaultsOnSts_ShouldReachTheWebIdentityCall()
    {
        await using var h = await EmulatorHarness.StartAsync();
        h.Emulator.Options.Faults.FailNext("AssumeRoleWithWebIdentity", 1, "IDPCommunicationError", 400, "Couldn't retrieve verification key from your identity provider");
        var token = TestJwt.ForScenario(h.Emulator.Scenario, h.Time.GetUtcNow().AddHours(1));

        var answer = await h.Client.PostAsync(EmulatorTestClient.Parameters("AssumeRoleWithWebIdentity", "2011-06-15",
            ("RoleArn", h.Emulator.Scenario.CentralRoleArn), ("RoleSessionName", "s1"), ("WebIdentityToken", token)));

        AssertError(answer, HttpStatusCode.BadRequest, "IDPCommunicationError", "verification key");
        Assert.Equal("https://sts.amazonaws.com/doc/2011-06-15/", answer.Ns.NamespaceName);
    }
}
