using System.Diagnostics;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Aws;

namespace IamKeyFunc.IntegrationTests.Aws;

/// <summary>
/// The real stack (federation, IAM client, collector) against <see cref="HostileAwsServer"/> in front of the emulator:
/// one test per fault class of a hostile IAM. Each asserts the account's outcome, its code, the exact record count, and
/// that the account ends within a bound the settings make predictable (a guard far above it, never a sleep).
/// </summary>
public sealed class HostileIamTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Collect_ShouldFailWithRequestTimeout_WhenTheBodyTrickles()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.TrickleBody, "ListUsers", new()
        {
            ["IamKey:Collection:RequestTimeout"] = "00:00:01",
            ["IamKey:Collection:MaxAttempts"] = "2",
        });

        var watch = Stopwatch.StartNew();
        var failure = await env.FailAsync();

        Assert.Equal(IamErrorCodes.RequestTimeout, failure.Code);
        Assert.Equal(2, env.Hostile.Calls("ListUsers"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Collect_ShouldFailWithPaginationLoop_WhenMarkersCycle()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.MarkerCycle, "ListUsers");

        var failure = await env.FailAsync();

        Assert.Equal(IamErrorCodes.PaginationLoop, failure.Code);
        Assert.Equal(3, env.Hostile.Calls("ListUsers"));
    }

    [Fact]
    public async Task Collect_ShouldFailWithTooManyPages_WhenMarkersNeverEnd()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.EndlessMarkers, "ListUsers");

        var failure = await env.FailAsync();

        Assert.Equal(IamErrorCodes.TooManyPages, failure.Code);
        Assert.Equal(IamClient.MaxUsersPerAccount, env.Hostile.Calls("ListUsers"));
    }

    [Theory]
    [InlineData(HostileMode.Html200, "ListUsers")]
    [InlineData(HostileMode.ForeignXml200, "ListUsers")]
    [InlineData(HostileMode.ErrorResponse200, "ListUsers")]
    [InlineData(HostileMode.Html200, "ListAccessKeys")]
    [InlineData(HostileMode.ErrorResponse200, "GetAccessKeyLastUsed")]
    public async Task Collect_ShouldFailWithInvalidResponseNamingTheOperation_WhenA200IsNotTheAnswer(HostileMode mode, string operation)
    {
        await using var env = await HostileEnvironment.StartAsync(mode, operation);

        var failure = await env.FailAsync();

        Assert.Equal(IamErrorCodes.InvalidResponse, failure.Code);
        Assert.Contains(operation, failure.Message, StringComparison.Ordinal);

        // Not retried: at most one call per user that was in flight when the first answer failed the account.
        Assert.InRange(env.Hostile.Calls(operation), 1, env.Aws.Scenario.CentralAccount.Users.Count);
    }

    [Theory]
    [InlineData(HostileMode.HugeEpochDate)]
    [InlineData(HostileMode.GarbageDate)]
    public async Task Collect_ShouldFailWithInvalidResponse_WhenDatesCannotBeRead(HostileMode mode)
    {
        await using var env = await HostileEnvironment.StartAsync(mode, "ListUsers");

        var failure = await env.FailAsync();

        Assert.Equal(IamErrorCodes.InvalidResponse, failure.Code);
        Assert.Contains("ListUsers", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_ShouldKeepEveryListedKeyWithAWarning_WhenTheReportIsNotUtf8()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.NonUtf8Report, "GetCredentialReport");

        var collection = await env.CollectAsync();

        var userKeys = env.Aws.Scenario.ExpectedKeys(env.AccountId).Where(k => !k.IsRoot).Select(k => k.AccessKeyId).Order().ToList();
        Assert.Equal(userKeys, collection.Keys.Select(r => r.AccessKeyId).Order());
        Assert.Equal(IamErrorCodes.InvalidCredentialReport, collection.Warning?.Code);
    }

    [Fact]
    public async Task Collect_ShouldCorrectTheSigningTimeAndComplete_WhenTheServersClockIsTenMinutesAhead()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.ClockSkew, operation: null, emulatorSkewTolerance: TimeSpan.FromHours(1));

        var collection = await env.CollectAsync();

        var expected = env.Aws.Scenario.ExpectedKeys(env.AccountId);
        var userKeys = expected.Where(k => !k.IsRoot).Select(k => k.AccessKeyId).Order().ToList();
        Assert.Equal(expected.Count, collection.Keys.Count);
        Assert.Equal(userKeys, collection.Keys.Where(r => r.AccessKeyId is not null).Select(r => r.AccessKeyId).Order());
        Assert.Null(collection.Warning);
    }

    [Fact]
    public async Task Collect_ShouldGiveOneRecordPerKey_WhenUsersAndKeysAreListedTwice()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.DuplicateMembers, operation: null);

        var collection = await env.CollectAsync();

        var expected = env.Aws.Scenario.ExpectedKeys(env.AccountId);
        Assert.Equal(expected.Count, collection.Keys.Count);
        Assert.Equal(
            expected.Where(k => !k.IsRoot).Select(k => k.AccessKeyId).Order(),
            collection.Keys.Where(r => r.AccessKeyId is not null).Select(r => r.AccessKeyId).Order());
        Assert.Equal(env.Aws.Scenario.CentralAccount.Users.Count, collection.Counts.UsersScanned);
    }

    [Fact]
    public async Task Run_ShouldWarnThatTheReportIsStale_AndKeepEveryKey_WhenTheReportIsFromYearsAgo()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.StaleReport, "GetCredentialReport", new()
        {
            ["IamKey:Collection:Mode"] = "Report",
        });

        var result = await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(Guard);

        var account = Assert.Single(result.Accounts);
        Assert.Equal("Succeeded", account.Status);
        Assert.Equal(AccountPass.StaleReportCode, account.ErrorCode);
        Assert.Contains("IamKey:Collection:MaxReportAge", account.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(env.Aws.Scenario.ExpectedKeys(env.AccountId).Count, result.Records.Count);
    }

    [Fact]
    public async Task Run_ShouldFailOnlyTheSlowAccountWithTimeout_WhenItPassesTheAccountDeadline_AndCollectTheOthers()
    {
        // One user of the member account gets a ListAccessKeys answer that trickles; the per-attempt deadline is far
        // above the account's, so only IamKey:Collection:AccountTimeout can end it.
        var scenario = EmulatedAws.Generate(accounts: 2, users: 4, seed: 5);
        const string slowUser = "slow-member-user";
        scenario.Accounts[1].Users[0].UserName = slowUser; // generated accounts reuse names; this one is the member's only
        await using var env = await HostileEnvironment.StartAsync(HostileMode.TrickleBody, "ListAccessKeys", new()
        {
            ["IamKey:Collection:RequestTimeout"] = "00:02:00",
            ["IamKey:Collection:AccountTimeout"] = "00:00:03",
        }, scenario: scenario);
        env.Hostile.UserName = slowUser;

        var watch = Stopwatch.StartNew();
        var result = await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(Guard);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status);
        Assert.Equal(["Succeeded", "Failed"], result.Accounts.Select(a => a.Status));
        Assert.Equal(AccountPass.TimeoutCode, result.Accounts[1].ErrorCode);
        Assert.Contains("IamKey:Collection:AccountTimeout", result.Accounts[1].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(scenario.ExpectedKeys(scenario.Accounts[0].AccountId).Count, result.Records.Count);
    }

    [Fact]
    public async Task Run_ShouldRedactTheWebIdentityToken_WhenStsQuotesTheRequestInItsError()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.EchoRequestInError, "AssumeRoleWithWebIdentity", sts: true);

        var result = await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(Guard);

        Assert.Equal(1, env.Hostile.Calls("AssumeRoleWithWebIdentity"));
        var account = Assert.Single(result.Accounts);
        Assert.Equal("Failed", account.Status);
        Assert.Equal("ValidationError", account.ErrorCode);
        Assert.Contains("[redacted token]", account.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", account.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", env.Aws.Logs.AllText, StringComparison.Ordinal);
        Assert.Empty(result.Records);
    }

    /// <summary>The emulator, the hostile front on the IAM endpoint (and STS's, with <c>sts</c>), and the stack pointed at it.</summary>
    private sealed class HostileEnvironment : IAsyncDisposable
    {
        private HostileEnvironment(HostileAwsServer hostile, EmulatedAws aws)
        {
            Hostile = hostile;
            Aws = aws;
        }

        public HostileAwsServer Hostile { get; }

        public EmulatedAws Aws { get; }

        public string AccountId => Aws.Scenario.CentralAccount.AccountId;

        public static async Task<HostileEnvironment> StartAsync(
            HostileMode mode, string? operation, Dictionary<string, string?>? settings = null, TimeSpan? emulatorSkewTolerance = null,
            EmulatorScenario? scenario = null, bool sts = false)
        {
            var hostile = await HostileAwsServer.StartAsync();
            settings ??= [];
            settings["IamKey:Aws:IamEndpoint"] = hostile.Endpoint.ToString();
            if (sts)
            {
                settings["IamKey:Aws:StsEndpoint"] = hostile.Endpoint.ToString();
                settings["IamKey:Aws:StsMaxErrorRetry"] = "0";
            }

            settings.TryAdd("IamKey:Collection:MaxAttempts", "2");
            var aws = await EmulatedAws.StartAsync(
                scenario ?? EmulatedAws.Generate(users: 6),
                options =>
                {
                    if (emulatorSkewTolerance is { } tolerance)
                    {
                        options.MaxClockSkew = tolerance;
                    }
                },
                settings);
            hostile.Upstream = aws.Emulator.Endpoint;
            hostile.Mode = mode;
            hostile.Operation = operation;
            return new HostileEnvironment(hostile, aws);
        }

        public Task<AccountInventory> CollectAsync() =>
            Aws.Collector.CollectAsync(Aws.Session(AccountId), EmulatedAws.NewRun(), FactRequest.KeysOnly).WaitAsync(Guard);

        /// <summary>Collects expecting the account to fail; returns its summary code and message.</summary>
        public async Task<AccountIssue> FailAsync()
        {
            var ex = await Assert.ThrowsAsync<AccountCollectionException>(CollectAsync);
            Assert.IsType<IamException>(ex.InnerException);
            return SafeError.From(ex.InnerException!);
        }

        public async ValueTask DisposeAsync()
        {
            await Aws.DisposeAsync();
            await Hostile.DisposeAsync();
        }
    }
}
