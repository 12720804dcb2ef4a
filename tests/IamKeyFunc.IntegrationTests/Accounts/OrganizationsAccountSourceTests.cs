using System.Text.Json;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Runs;

namespace IamKeyFunc.IntegrationTests.Accounts;

/// <summary>
/// Runs with <c>IamKey:Aws:Discovery:Source = Organizations</c> and no account list, against the emulator's organization
/// over the real JSON 1.1 wire: what is collected, and a summary row for every discovered account.
/// </summary>
public sealed class OrganizationsAccountSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iamkeys-org-").FullName;

    [Fact]
    public async Task RunAsync_ShouldCollectEveryActiveAccountOfAThreeLevelTree_OverManyPages_AndSkipTheSuspendedOne()
    {
        // Arrange: 60 accounts in 13 OUs three levels deep, pages of 3, one suspended account
        var scenario = Organization(accounts: 60, ous: 13, suspended: 1);
        await using var aws = await StartAsync(scenario, o => o.OrganizationsMaxPageSize = 3);
        var suspended = scenario.Accounts.Single(a => a.State == "SUSPENDED");

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));

        // Assert
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(60, result.Accounts.Count);
        Assert.Equal(scenario.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal), result.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal));
        Assert.Equal(59, result.Accounts.Count(a => a.Status == "Succeeded"));
        var skipped = Assert.Single(result.Accounts, a => a.Status == "Skipped");
        Assert.Equal((suspended.AccountId, AccountExclusion.NotActiveCode), (skipped.AccountId, skipped.ErrorCode));
        Assert.Contains("SUSPENDED", skipped.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, aws.IamCalls(suspended.AccountId));

        var active = scenario.Accounts.Where(a => a != suspended).ToList();
        GroundTruth.AssertMatches([.. active.SelectMany(a => scenario.ExpectedKeys(a.AccountId))], result.Records, "live");
        var org = scenario.Organization!;
        Assert.All(result.Accounts, s => Assert.Equal(
            ("Organizations", scenario.Account(s.AccountId).Name, org.PathOf(scenario.Account(s.AccountId).ParentId)),
            (s.DiscoverySource, s.AccountName, s.OrganizationalUnitPath)));
        Assert.Contains(result.Accounts, s => s.OrganizationalUnitPath!.Count(c => c == '/') == 3);
        Assert.All(result.Records, r => Assert.Equal(org.PathOf(scenario.Account(r.AccountId).ParentId), r.OrganizationalUnitPath));
        Assert.True(aws.Emulator.Stats.Calls("ListAccountsForParent") > 14, "accounts must have come over many pages");
        Assert.Equal(0, aws.Emulator.Stats.Calls("ListTagsForResource"));
    }

    [Fact]
    public async Task RunAsync_ShouldSkipWhatTheOuTagAndIdFiltersExclude_WithTheReason_AndCopyOnlyTheNamedTags()
    {
        // Arrange
        var scenario = Organization(accounts: 30, ous: 6);
        var org = scenario.Organization!;
        var (ou0, ou3) = (org.OrganizationalUnits[0], org.OrganizationalUnits[3]); // OU000 holds OU003..OU005
        var underOu0 = scenario.Accounts.Where(a => a.ParentId is { } p && (p == ou0.Id || org.OrganizationalUnits.Single(o => o.Id == p).ParentId == ou0.Id)).ToList();
        var excludedId = underOu0.First(a => a.ParentId != ou3.Id).AccountId;
        await using var aws = await StartAsync(scenario, settings: new()
        {
            ["IamKey:Aws:Discovery:IncludeOrganizationalUnits"] = ou0.Id,
            ["IamKey:Aws:Discovery:ExcludeOrganizationalUnits"] = ou3.Id,
            ["IamKey:Aws:Discovery:ExcludeAccountIds"] = excludedId,
            ["IamKey:Aws:Discovery:IncludeAccountTags"] = "Environment=prod,Environment=staging",
            ["IamKey:Aws:Discovery:AccountTagKeys"] = "Environment",
        });

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));

        // Assert
        var expected = underOu0.Where(a => a.ParentId != ou3.Id && a.AccountId != excludedId && a.Tags["Environment"] is "prod" or "staging").Select(a => a.AccountId).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(30, result.Accounts.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), result.Accounts.Where(a => a.Status == "Succeeded").Select(a => a.AccountId).Order(StringComparer.Ordinal));
        var skipped = result.Accounts.Where(a => a.Status == "Skipped").ToDictionary(a => a.AccountId);
        Assert.Equal(30 - expected.Count, skipped.Count);
        Assert.All(skipped.Values, s => Assert.Equal(AccountExclusion.FilteredCode, s.ErrorCode));
        Assert.Contains("ExcludeAccountIds", skipped[excludedId].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("ExcludeOrganizationalUnits", skipped[underOu0.First(a => a.ParentId == ou3.Id).AccountId].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("IncludeOrganizationalUnits", skipped[scenario.Accounts.First(a => !underOu0.Contains(a)).AccountId].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(skipped.Values, s => s.ErrorMessage!.Contains("IncludeAccountTags", StringComparison.Ordinal));
        GroundTruth.AssertMatches([.. expected.SelectMany(scenario.ExpectedKeys)], result.Records, "live");
        Assert.All(result.Records, r => Assert.Equal(
            new Dictionary<string, string> { ["Environment"] = scenario.Account(r.AccountId).Tags["Environment"] },
            r.AccountTags));
        Assert.Equal(0, skipped.Keys.Sum(aws.IamCalls));
    }

    [Fact]
    public async Task RunAsync_ShouldCollectAFilteredOutAccount_WhenItIsRequested_ButNeverASuspendedOne()
    {
        // Arrange: the refresh's ?account= and collect --account name accounts that only discovery knows
        var scenario = Organization(accounts: 8, ous: 3, suspended: 1);
        var filtered = scenario.Accounts[2];
        var suspended = scenario.Accounts.Single(a => a.State == "SUSPENDED");
        await using var aws = await StartAsync(scenario, settings: new() { ["IamKey:Aws:Discovery:ExcludeAccountIds"] = filtered.AccountId });

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Http, Accounts: [filtered.AccountId, suspended.AccountId], DryRun: true));

        // Assert
        Assert.Empty(result.AccountErrors);
        Assert.Equal(8, result.Accounts.Count);
        Assert.Equal("Succeeded", result.Accounts.Single(a => a.AccountId == filtered.AccountId).Status);
        Assert.Equal(AccountExclusion.NotActiveCode, result.Accounts.Single(a => a.AccountId == suspended.AccountId).ErrorCode);
        Assert.Equal(6, result.Accounts.Count(a => a.ErrorCode == "NotRequested"));
        GroundTruth.AssertMatches(scenario.ExpectedKeys(filtered.AccountId), result.Records, "live");
    }

    [Fact]
    public async Task RunAsync_ShouldFailOnlyTheMemberAccountWithoutTheRole_WithAHintNamingTheRoleAndTheStackSet()
    {
        // Arrange
        var scenario = Organization(accounts: 6, ous: 2);
        var bare = scenario.Accounts[4];
        bare.Roles.Clear();
        await using var aws = await StartAsync(scenario);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));

        // Assert
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status);
        Assert.Equal(5, result.Accounts.Count(a => a.Status == "Succeeded"));
        var failed = Assert.Single(result.Accounts, a => a.Status == "Failed");
        Assert.Equal((bare.AccountId, "AccessDenied"), (failed.AccountId, failed.ErrorCode));
        Assert.StartsWith($"STS AssumeRole for arn:aws:iam::{bare.AccountId}:role/IamKeyFuncMember failed with AccessDenied (HTTP 403): ", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(
            "If the member role IamKeyFuncMember is missing or does not trust the reader role, deploy it with the StackSet iamkeyfunc-member.",
            failed.ErrorMessage,
            StringComparison.Ordinal);
        Assert.Equal(scenario.Account(bare.AccountId).Name, failed.AccountName);
        Assert.Equal(scenario.Accounts.Where(a => a != bare).Sum(a => scenario.ExpectedKeys(a.AccountId).Count), result.Records.Count);
    }

    [Fact]
    public async Task RunAsync_ShouldFailVisiblyWithTheOrganizationsCode_WhenTheDiscoveryRoleIsDenied()
    {
        // Arrange: the discovery role sits in a member account, which is neither the management account nor a delegated administrator
        var scenario = Organization(accounts: 4, ous: 1);
        var member = scenario.Accounts[2];
        var roleArn = member.RoleArn(member.Roles.Single());
        await using var aws = await StartAsync(scenario, settings: new() { ["IamKey:Aws:Discovery:RoleArn"] = roleArn });
        var path = Path.Combine(_directory, "denied.jsonl");
        await using var sink = new JsonlFileSink(path);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, Sink: sink));

        // Assert: one Failed row for the account discovery called, delivered, so that the failed-run alert fires
        Assert.Equal(RunStatus.Failed, result.Status);
        var row = Assert.Single(result.Accounts);
        Assert.Equal((member.AccountId, roleArn, "Failed", "AccessDeniedException", "Organizations"), (row.AccountId, row.RoleArn, row.Status, row.ErrorCode, row.DiscoverySource));
        Assert.StartsWith("AWS Organizations discovery failed", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(result.Records);
        Assert.Equal(0, scenario.Accounts.Sum(a => aws.IamCalls(a.AccountId)));
        Assert.Equal((1, 1), (result.SummaryDelivery!.Records, result.SummaryDelivery.Delivered));
        await sink.DisposeAsync();
        var line = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(path))).RootElement;
        Assert.Equal(("AwsAccessKeyRunSummary", "Failed", "AccessDeniedException"), (line.GetProperty("table").GetString(), line.GetProperty("Status").GetString(), line.GetProperty("ErrorCode").GetString()));
    }

    [Fact]
    public async Task RunAsync_ShouldCollectANewAccount_InTheRunAfterItJoinedTheOrganization()
    {
        // Arrange
        var scenario = Organization(accounts: 5, ous: 2);
        await using var aws = await StartAsync(scenario);
        var first = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));
        var template = scenario.Accounts[1];
        var newcomer = new EmulatorAccount
        {
            AccountId = "210987654321",
            Name = "Newcomer",
            ParentId = scenario.Organization!.OrganizationalUnits[1].Id,
            CreateDate = DateTimeOffset.UtcNow.AddDays(-1),
            Users = { new EmulatorUser { UserName = "new-user", UserId = "AIDANEWCOMER00000001", CreateDate = DateTimeOffset.UtcNow.AddDays(-1), AccessKeys = { new EmulatorAccessKey { AccessKeyId = "AKIANEWCOMER00000001", Status = "Active", CreateDate = DateTimeOffset.UtcNow.AddHours(-5) } } } },
            Roles = { new EmulatorRole { Name = "IamKeyFuncMember", RoleId = "AROANEWCOMER00000001", TrustedPrincipalArns = [.. template.Roles.Single().TrustedPrincipalArns] } },
        };
        aws.Emulator.ChangeScenario(s => s.Accounts.Add(newcomer));

        // Act
        var second = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));

        // Assert
        Assert.Equal((5, 6), (first.Accounts.Count, second.Accounts.Count));
        Assert.DoesNotContain(first.Accounts, a => a.AccountId == newcomer.AccountId);
        var row = second.Accounts.Single(a => a.AccountId == newcomer.AccountId);
        Assert.Equal(("Succeeded", 1, "Newcomer", "Root/OU001"), (row.Status, row.KeysReported, row.AccountName, row.OrganizationalUnitPath));
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(first.Records.Count + 1, second.Records.Count);
    }

    [Fact]
    public async Task RunAsync_ShouldRideOutThrottledDiscovery_AndFailTheRunWithTheCode_WhenThrottlingNeverEnds()
    {
        // Arrange
        var scenario = Organization(accounts: 12, ous: 4);
        await using var aws = await StartAsync(scenario, o => o.OrganizationsMaxPageSize = 2, new() { ["IamKey:Collection:MaxAttempts"] = "4" });
        aws.Emulator.Options.Faults.FailNext("ListAccountsForParent", 2, "TooManyRequestsException", 400, "Rate exceeded");
        aws.Emulator.Options.Faults.FailNext("ListOrganizationalUnitsForParent", 1, "TooManyRequestsException", 400, "Rate exceeded");

        // Act
        var throttled = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));
        aws.Emulator.Options.Faults.FailNext("ListRoots", 100, "TooManyRequestsException", 400, "Rate exceeded");
        var exhausted = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));

        // Assert
        Assert.Equal(RunStatus.Succeeded, throttled.Status);
        Assert.Equal(12, throttled.Accounts.Count(a => a.Status == "Succeeded"));
        Assert.Equal(scenario.Accounts.Sum(a => scenario.ExpectedKeys(a.AccountId).Count), throttled.Records.Count);
        Assert.Equal(RunStatus.Failed, exhausted.Status);
        var row = Assert.Single(exhausted.Accounts);
        Assert.Equal((scenario.CentralAccount!.AccountId, "Failed", "TooManyRequestsException"), (row.AccountId, row.Status, row.ErrorCode));
        Assert.Equal(4, aws.Emulator.Stats.Calls("ListRoots") - 1); // one call in the first run, four attempts in the second
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>An organization managed by the central account (account 0), three users per account.</summary>
    internal static EmulatorScenario Organization(int accounts, int ous, int suspended = 0) => ScenarioGenerator.Generate(
        new ScenarioGeneratorSettings { Accounts = accounts, UsersPerAccount = 3, Seed = 61, OrganizationalUnits = ous, SuspendedAccounts = suspended, RootKeyShare = 0 },
        TimeProvider.System.GetUtcNow());

    /// <summary>Discovery from the central session, no account list, loopback Organizations endpoint.</summary>
    private static Task<EmulatedAws> StartAsync(EmulatorScenario scenario, Action<EmulatorOptions>? emulator = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["IamKey:Aws:Discovery:Source"] = "Organizations",
            ["IamKey:Aws:MemberAccountIds"] = "",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return EmulatedAws.StartAsync(scenario, emulator, all);
    }
}
