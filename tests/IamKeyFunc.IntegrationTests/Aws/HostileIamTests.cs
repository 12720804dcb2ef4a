using System.Diagnostics;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;
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
    public async Task Collect_ShouldKeepEveryListedKeyWithAWarning_WhenTheRootsReportLineIsNotUtf8()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.NonUtf8Report, "GetCredentialReport");

        var collection = await env.CollectAsync();

        var userKeys = env.Aws.Scenario.ExpectedKeys(env.AccountId).Where(k => !k.IsRoot).Select(k => k.AccessKeyId).Order().ToList();
        Assert.Equal(userKeys, collection.Keys.Select(r => r.AccessKeyId).Order());
        Assert.False(collection.RootKeysKnown); // the history carries the root keys over instead of reporting them deleted
        Assert.Equal(AccountCollector.UnreadableReportRowsCode, collection.Warning?.Code);
        Assert.Contains("line 2 (user <root_account>?): it is not UTF-8", collection.Warning!.Message, StringComparison.Ordinal);
        Assert.Contains("root user's keys are not reported", collection.Warning.Message, StringComparison.Ordinal);
        Assert.All(collection.Keys, k => Assert.NotNull(k.MfaActive)); // every user's line was read
    }

    [Fact]
    public async Task Collect_ShouldLoseOnlyThatUsersReportFields_WhenOneUsersReportLineIsNotUtf8()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.NonUtf8Report, "GetCredentialReport");
        var expected = env.Aws.Scenario.ExpectedKeys(env.AccountId);
        var broken = expected.First(k => !k.IsRoot).UserName;
        env.Hostile.ReportLineUser = broken;

        var watch = Stopwatch.StartNew();
        var collection = await env.CollectAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(expected.Count, collection.Keys.Count);
        Assert.Equal(expected.Count(k => k.IsRoot), collection.Keys.Count(k => k.IsRoot)); // the root key is kept
        Assert.True(collection.RootKeysKnown);
        Assert.All(collection.Keys.Where(k => k.UserName == broken), k => Assert.Equal((null, null), (k.PasswordEnabled, k.MfaActive)));
        Assert.All(collection.Keys.Where(k => k.UserName != broken), k => Assert.NotNull(k.MfaActive));
        Assert.Equal(AccountCollector.UnreadableReportRowsCode, collection.Warning?.Code);
        Assert.Contains($"(user {broken}?): it is not UTF-8", collection.Warning!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ShouldCollectEveryKeyOfTheUnreadableLine_InReportMode()
    {
        await using var env = await HostileEnvironment.StartAsync(HostileMode.NonUtf8Report, "GetCredentialReport", new()
        {
            ["IamKey:Collection:Mode"] = "Report",
        });
        var expected = env.Aws.Scenario.ExpectedKeys(env.AccountId);
        var broken = expected.First(k => !k.IsRoot).UserName;
        env.Hostile.ReportLineUser = broken;

        var result = await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(Guard);

        var account = Assert.Single(result.Accounts);
        Assert.Equal(("Succeeded", AccountCollector.UnreadableReportRowsCode), (account.Status, account.ErrorCode));
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(expected.Count, result.Records.Count);
        Assert.Equal(
            expected.Where(k => k.UserName == broken).Select(k => k.AccessKeyId).Order(),
            result.Records.Where(r => r.UserName == broken).Select(r => r.AccessKeyId).Order());
        Assert.All(result.Records.Where(r => r.UserName == broken), r => Assert.Equal("live", r.DataSource)); // read with GetAccessKeyLastUsed
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
        Assert.Contains("[redacted]", account.ErrorMessage, StringComparison.Ordinal); // the known token, whole
        Assert.DoesNotContain("eyJ", account.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", env.Aws.Logs.AllText, StringComparison.Ordinal);
        Assert.Empty(result.Records);
    }

    [Fact]
    public async Task Run_ShouldReportAKeyListedUnderTwoUsersOnce_AndKeepWorkingOnTheNextRuns()
    {
        var directory = Directory.CreateTempSubdirectory("iamkeys-hostile-").FullName;
        try
        {
            await using var env = await HostileEnvironment.StartAsync(HostileMode.ForeignKeyListed, "ListAccessKeys", new()
            {
                ["IamKey:History:Enabled"] = "true",
                ["IamKey:History:StateDirectory"] = Path.Combine(directory, "state"),
            });
            var expected = env.Aws.Scenario.ExpectedKeys(env.AccountId);
            var users = expected.Where(k => !k.IsRoot).Select(k => k.UserName).Distinct().Order(StringComparer.Ordinal).ToList();
            var (owner, other) = (users[^1], users[0]); // listed first by name under the other user: GetAccessKeyLastUsed names the owner
            var key = expected.First(k => k.UserName == owner);
            env.Hostile.UserName = other;
            env.Hostile.ForeignAccessKeyId = key.AccessKeyId;

            var results = new List<RunResult>();
            for (var run = 0; run < 3; run++)
            {
                await using var sink = new JsonlFileSink(Path.Combine(directory, $"run{run}.jsonl"));
                results.Add(await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, Sink: sink, KeepRecords: true)).WaitAsync(Guard));
            }

            Assert.All(results, result =>
            {
                Assert.Equal(RunStatus.Succeeded, result.Status);
                var account = Assert.Single(result.Accounts);
                Assert.Equal(("Succeeded", AccountCollector.DuplicateKeyCode), (account.Status, account.ErrorCode));
                Assert.Contains($"slot {key.KeySlot} of user {owner} was also listed under user {other}", account.ErrorMessage, StringComparison.Ordinal);
                Assert.Equal(expected.Count, result.Records.Count);
                Assert.Equal(owner, Assert.Single(result.Records, r => r.AccessKeyId == key.AccessKeyId).UserName);
                Assert.DoesNotContain(result.Events, e => e.EventType != KeyEventTypes.RotationStuck); // the key never moves between users
            });
            Assert.Empty(results[0].Events); // the baseline
            Assert.Empty(results[2].Events); // stuck rotations (if any) are reported once, by the run after the baseline
            Assert.Equal(expected.Count, SnapshotFormat.Read(
                await File.ReadAllBytesAsync(Path.Combine(directory, "state", "aws", $"{env.AccountId}.json")), "aws", env.AccountId).Snapshot!.Keys.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
