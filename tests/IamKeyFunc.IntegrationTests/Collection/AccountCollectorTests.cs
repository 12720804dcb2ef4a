using IamKeyFunc.AwsEmulator;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;

namespace IamKeyFunc.IntegrationTests.Collection;

/// <summary>The real collector (federation, SigV4 IAM client, both freshness modes) against the loopback AWS emulator.</summary>
public class AccountCollectorTests
{
    private static readonly Dictionary<string, string?> ReportMode = new() { ["IamKey:Collection:Mode"] = "Report" };

    [Fact]
    public async Task CollectAsync_ShouldReportExactlyTheGroundTruth_FieldByField_InLiveMode()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 40));
        var accountId = aws.Scenario.CentralAccount.AccountId;

        // Act
        var collection = await aws.CollectAsync(accountId);

        // Assert
        GroundTruth.AssertMatches(aws.Scenario.ExpectedKeys(accountId), collection.Records, "live");
        Assert.Contains(collection.Records, r => r.RootKey);
        Assert.Null(collection.Warning);
        Assert.Equal(aws.Scenario.CentralAccount.Alias, collection.AccountAlias);
        Assert.Equal(40, collection.Counts.UsersScanned);
        Assert.Equal(aws.IamCalls(accountId), collection.Counts.ApiCalls);
        Assert.All(collection.Records, r => Assert.NotNull(r.CredentialReportGeneratedAt));
    }

    [Fact]
    public async Task CollectAsync_ShouldReportExactlyTheGroundTruth_FieldByField_InReportMode()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 40), settings: ReportMode);
        var accountId = aws.Scenario.CentralAccount.AccountId;

        // Act
        var collection = await aws.CollectAsync(accountId);

        // Assert
        GroundTruth.AssertMatches(aws.Scenario.ExpectedKeys(accountId), collection.Records, "report");
        Assert.All(collection.Records, r => Assert.True(r.CredentialReportAgeHours is >= 0 and < 1));
        Assert.Equal(0, aws.Emulator.Stats.Calls(accountId, "ListUsers"));
        Assert.Equal(0, aws.Emulator.Stats.Calls(accountId, "GetAccessKeyLastUsed"));
    }

    [Fact]
    public async Task CollectAsync_ShouldYieldTheSameKeySetInBothModes_WithSlotsMatchingTheReport()
    {
        // Arrange: inactive keys show N/A for last_rotated (as AWS documents), so report mode must map slots by date.
        var scenario = EmulatedAws.Generate(users: 60, seed: 5);
        await using var live = await EmulatedAws.StartAsync(scenario, o => o.ReportLastRotatedForInactiveKeys = false);
        await using var report = await EmulatedAws.StartAsync(scenario, o => o.ReportLastRotatedForInactiveKeys = false, ReportMode);
        var accountId = scenario.CentralAccount.AccountId;

        // Act
        var fromLive = await live.CollectAsync(accountId);
        var fromReport = await report.CollectAsync(accountId);

        // Assert: the report hides only users whose every key is inactive and unused (N/A everywhere in their row).
        var hidden = scenario.CentralAccount.Users
            .Where(u => u.AccessKeys.Count > 0 && u.AccessKeys.All(k => k.Status == "Inactive" && k.LastUsed is null))
            .Select(u => u.UserName).ToHashSet();
        Assert.Contains(fromReport.Records, r => r.Status == "Inactive");
        Assert.Equal(
            GroundTruth.KeySet(fromLive.Records.Where(r => !r.RootKey && !hidden.Contains(r.UserName))),
            GroundTruth.KeySet(fromReport.Records.Where(r => !r.RootKey)));
    }

    [Fact]
    public async Task CollectAsync_ShouldYieldIdenticalRecordsInBothModes_WhenIamReportsInactiveKeysRotationDates()
    {
        // Arrange
        var scenario = EmulatedAws.Generate(users: 60, seed: 9);
        await using var live = await EmulatedAws.StartAsync(scenario);
        await using var report = await EmulatedAws.StartAsync(scenario, settings: ReportMode);
        var accountId = scenario.CentralAccount.AccountId;

        // Act
        var fromLive = await live.CollectAsync(accountId);
        var fromReport = await report.CollectAsync(accountId);

        // Assert
        Assert.Equal(GroundTruth.KeySet(fromLive.Records), GroundTruth.KeySet(fromReport.Records));
        Assert.Equal(scenario.ExpectedKeys(accountId).Count, fromReport.Records.Count);
    }

    [Fact]
    public async Task CollectAsync_ShouldCallIamNWithKeysPlusFourTimes_InReportModeWithAFreshReport()
    {
        // Arrange: a first collection leaves a complete report behind (IAM reuses it for 4 hours).
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 50), settings: ReportMode);
        var accountId = aws.Scenario.CentralAccount.AccountId;
        await aws.Collector.CollectAsync(aws.Session(accountId), EmulatedAws.NewRun(), FactRequest.KeysOnly);
        aws.Emulator.Stats.Reset();

        // Act
        var collection = await aws.CollectAsync(accountId);

        // Assert
        var usersWithKeys = aws.Scenario.CentralAccount.Users.Count(u => u.AccessKeys.Count > 0);
        Assert.Equal(usersWithKeys + 4, aws.IamCalls(accountId)); // ListUsers, GenerateCredentialReport, GetCredentialReport, GetAccountSummary
        Assert.Equal(1, aws.Emulator.Stats.Calls(accountId, "GetAccountSummary"));
        Assert.Equal(usersWithKeys, aws.Emulator.Stats.Calls(accountId, "ListAccessKeys"));
        Assert.Equal(usersWithKeys + 4, collection.Counts.ApiCalls);
        Assert.Equal(50, collection.Counts.UsersScanned);
    }

    [Fact]
    public async Task CollectAsync_ShouldFollowEveryPage_WhenPagesAreSmallAndRandomlyShort()
    {
        // Arrange
        var settings = new Dictionary<string, string?> { ["IamKey:Collection:PageSize"] = "7" };
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 100, seed: 3), o => o.ShrinkPageProbability = 0.5, settings);
        var accountId = aws.Scenario.CentralAccount.AccountId;

        // Act
        var collection = await aws.CollectAsync(accountId);

        // Assert
        Assert.True(aws.Emulator.Stats.Calls(accountId, "ListUsers") > 100 / 7, aws.Emulator.Stats.ToString());
        Assert.Equal(100, collection.Counts.UsersScanned);
        GroundTruth.AssertMatches(aws.Scenario.ExpectedKeys(accountId), collection.Records, "live");
    }

    [Fact]
    public async Task CollectAsync_ShouldStillCompleteExactly_WhenIamThrottlesHard()
    {
        // Arrange: a token bucket well below the collector's appetite, short retry delays, enough attempts.
        var settings = new Dictionary<string, string?> { ["IamKey:Collection:MaxAttempts"] = "20", ["IamKey:Collection:RetryMaxDelay"] = "00:00:00.100" };
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 60, seed: 4), o => o.RateLimit = new EmulatorRateLimit(150, 5), settings);
        var accountId = aws.Scenario.CentralAccount.AccountId;

        // Act
        var collection = await aws.CollectAsync(accountId);

        // Assert
        Assert.True(aws.Emulator.Stats.ThrottledResponses > 0, aws.Emulator.Stats.ToString());
        Assert.Equal(aws.Emulator.Stats.ThrottledResponses, collection.Counts.ThrottledRetries);
        GroundTruth.AssertMatches(aws.Scenario.ExpectedKeys(accountId), collection.Records, "live");
    }

    [Fact]
    public async Task CollectAsync_ShouldRefreshTheSessionAndComplete_WhenItExpiresMidRun()
    {
        // Arrange: the sessions expire (server side) at the 20th IAM request; the cached credentials still look valid locally.
        var scenario = EmulatedAws.Generate(accounts: 2, users: 30, seed: 6);
        await using var aws = await EmulatedAws.StartAsync(scenario);
        var member = scenario.Accounts[1].AccountId;
        aws.Hook.OnRequest = (n, _) =>
        {
            if (n == 20)
            {
                aws.Emulator.ExpireAllSessions();
            }

            return Task.CompletedTask;
        };

        // Act
        var collection = await aws.CollectAsync(member);

        // Assert
        Assert.True(aws.Emulator.Stats.ErrorsByCode.GetValueOrDefault("ExpiredToken") > 0, aws.Emulator.Stats.ToString());
        Assert.True(aws.Emulator.IssuedSessions >= 3, $"{aws.Emulator.IssuedSessions} sessions issued");
        GroundTruth.AssertMatches(scenario.ExpectedKeys(member), collection.Records, "live");
    }

    [Fact]
    public async Task CollectAsync_ShouldCollectWithoutReportContextAndSaySo_WhenTheCredentialReportIsDenied()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 20));
        var accountId = aws.Scenario.CentralAccount.AccountId;
        aws.Emulator.Options.Faults.FailNext("GenerateCredentialReport", 100, "AccessDenied", 403, "not authorized to perform: iam:GenerateCredentialReport");

        // Act
        var collection = await aws.CollectAsync(accountId);

        // Assert
        var userKeys = aws.Scenario.ExpectedKeys(accountId).Where(k => !k.IsRoot).ToList();
        Assert.Equal(userKeys.Select(k => k.AccessKeyId).Order(), collection.Records.Select(r => r.AccessKeyId).Order());
        Assert.All(collection.Records, r => Assert.Null(r.PasswordEnabled));
        Assert.All(collection.Records, r => Assert.Null(r.MfaActive));
        Assert.All(collection.Records, r => Assert.Null(r.CredentialReportGeneratedAt));
        Assert.Equal("AccessDenied", collection.Warning?.Code);
        Assert.Contains("Credential report unavailable", collection.Warning!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_ShouldFailWithAccessDeniedAndItsCounts_WhenTheMemberRoleDeniesTheCentralRole()
    {
        // Arrange
        var scenario = EmulatedAws.Generate(accounts: 2, users: 5, denying: 1);
        await using var aws = await EmulatedAws.StartAsync(scenario);

        // Act
        var ex = await Assert.ThrowsAsync<AccountCollectionException>(() => aws.Collector.CollectAsync(aws.Session(scenario.Accounts[1].AccountId), EmulatedAws.NewRun(), FactRequest.KeysOnly));

        // Assert
        var cause = Assert.IsType<AwsFederationException>(ex.InnerException);
        Assert.Equal("AccessDenied", cause.ErrorCode);
        Assert.Equal(0, ex.Counts.UsersScanned);
    }

    [Fact]
    public async Task CollectAsync_ShouldFailTheAccount_WhenIamKeepsFailingAListCall()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 5));
        var accountId = aws.Scenario.CentralAccount.AccountId;
        aws.Emulator.Options.Faults.FailNext("ListUsers", 100, "ServiceUnavailable", 503);

        // Act
        var ex = await Assert.ThrowsAsync<AccountCollectionException>(() => aws.Collector.CollectAsync(aws.Session(accountId), EmulatedAws.NewRun(), FactRequest.KeysOnly));

        // Assert
        var cause = Assert.IsType<IamException>(ex.InnerException);
        Assert.Equal("ServiceUnavailable", cause.ErrorCode);
        Assert.True(ex.Counts.ApiCalls >= 8, $"{ex.Counts.ApiCalls} calls");
    }
}
