using Amazon.Runtime;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Accounts.Discovery;
using IamKeyFunc.Reporting.Aws.Organizations;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Tests.AwsEmulator;
using Xunit.Abstractions;

namespace IamKeyFunc.Tests.Accounts.Discovery;

/// <summary>The tree walk and the filters against the emulator's organization, over the real JSON 1.1 wire.</summary>
public sealed class OrganizationDiscoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Discover_ShouldFindEveryAccountOfAThreeLevelTree_OverManyPages_WithOuPaths()
    {
        var scenario = Organization(accounts: 60, ous: 13, suspended: 1);
        await using var h = await EmulatorHarness.StartAsync(scenario, o => o.OrganizationsMaxPageSize = 3);
        using var http = new HttpClient();

        var result = await DiscoverAsync(h, http, new DiscoveryOptions());

        Assert.Equal(scenario.Accounts.Select(a => a.AccountId).Order(), result.Decisions.Select(d => d.Account.AccountId).Order());
        var org = scenario.Organization!;
        Assert.All(result.Decisions, d => Assert.Equal(org.PathOf(scenario.Account(d.Account.AccountId).ParentId), d.Account.OrganizationalUnitPath));
        Assert.Contains(result.Decisions, d => d.Account.OrganizationalUnitPath.Count(c => c == '/') == 3); // Root/OU000/OU003/OU012
        var suspended = Assert.Single(result.Decisions, d => !d.Included);
        Assert.Equal("SUSPENDED", suspended.Account.State);
        Assert.Contains("SUSPENDED", suspended.Reason, StringComparison.Ordinal);
        Assert.Equal(org.Id, result.OrganizationId);
        Assert.Equal(0, h.Emulator.Stats.Calls("ListTagsForResource"));
        Assert.Equal(0, h.Emulator.Stats.Calls("ListAccounts"));
        Assert.True(h.Emulator.Stats.Calls("ListAccountsForParent") > 14, "accounts must have come over many pages");
    }

    [Fact]
    public async Task Filters_ShouldIncludeAndExcludeByOuTagAndId_ReadingTagsOnlyForCandidates()
    {
        var scenario = Organization(accounts: 30, ous: 6);
        var org = scenario.Organization!;
        var ou0 = org.OrganizationalUnits[0]; // OU000 with children OU003, OU004, OU005
        var ou3 = org.OrganizationalUnits[3];
        await using var h = await EmulatorHarness.StartAsync(scenario);
        using var http = new HttpClient();
        var underOu0 = scenario.Accounts.Where(a => a.ParentId is { } p && (p == ou0.Id || org.OrganizationalUnits.Single(o => o.Id == p).ParentId == ou0.Id)).ToList();
        var excludedId = underOu0.First(a => a.ParentId != ou3.Id).AccountId;

        var result = await DiscoverAsync(h, http, new DiscoveryOptions
        {
            IncludeOrganizationalUnits = ou0.Id,
            ExcludeOrganizationalUnits = ou3.Id,
            ExcludeAccountIds = excludedId,
            IncludeAccountTags = "Environment=prod, Environment=staging",
        });

        var expected = underOu0.Where(a => a.ParentId != ou3.Id && a.AccountId != excludedId && a.Tags["Environment"] is "prod" or "staging").Select(a => a.AccountId);
        Assert.Equal(expected.Order(), result.Decisions.Where(d => d.Included).Select(d => d.Account.AccountId).Order());
        Assert.Equal(scenario.Accounts.Count, result.Decisions.Count);
        Assert.Contains("ExcludeAccountIds", result.Decisions.Single(d => d.Account.AccountId == excludedId).Reason, StringComparison.Ordinal);
        Assert.All(result.Decisions.Where(d => scenario.Account(d.Account.AccountId).ParentId == ou3.Id), d => Assert.Contains("ExcludeOrganizationalUnits", d.Reason, StringComparison.Ordinal));
        Assert.Contains(result.Decisions, d => d.Reason.Contains("IncludeOrganizationalUnits", StringComparison.Ordinal));
        Assert.Contains(result.Decisions, d => d.Reason.Contains("IncludeAccountTags", StringComparison.Ordinal));

        // Tags were read only for the accounts the OU and ID filters kept.
        var candidates = underOu0.Count(a => a.ParentId != ou3.Id && a.AccountId != excludedId);
        Assert.Equal(candidates, h.Emulator.Stats.Calls("ListTagsForResource"));
    }

    [Fact]
    public async Task AccountTagKeys_ShouldReadTagsAndCopyOnlyThoseKeys()
    {
        var scenario = Organization(accounts: 4, ous: 1);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        using var http = new HttpClient();
        var filter = new DiscoveryFilter(new DiscoveryOptions { AccountTagKeys = "Environment" });

        var result = await DiscoverAsync(h, http, filter);

        Assert.Equal(4, h.Emulator.Stats.Calls("ListTagsForResource"));
        Assert.All(result.Decisions, d => Assert.Equal(["Environment"], filter.CopiedTags(d.Account.Tags).Keys));
    }

    [Fact]
    public async Task Discover_ShouldFinish_WhenOrganizationsThrottles()
    {
        var scenario = Organization(accounts: 20, ous: 4);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        h.Emulator.Options.Faults.FailRandomly(EmulatorFaults.AnyOperation, 0.3, "TooManyRequestsException", 400, "Rate exceeded", seed: 5);
        using var http = new HttpClient();

        var result = await DiscoverAsync(h, http, new DiscoveryOptions());

        Assert.Equal(20, result.Decisions.Count);
        Assert.True(h.Emulator.Stats.InjectedFaults > 0);
    }

    [Fact]
    public async Task Discover_ShouldFailWithAccessDenied_FromAMemberAccount()
    {
        var scenario = Organization(accounts: 3, ous: 1);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        var central = await h.Client.AssumeCentralRoleAsync();
        var member = await h.Client.AssumeRoleAsync(central, scenario.Accounts[1].RoleArn(scenario.Accounts[1].Roles[0]));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<OrganizationsException>(
            () => OrganizationDiscovery.DiscoverAsync(Client(h, http, member), new DiscoveryFilter(new DiscoveryOptions()), CancellationToken.None));

        Assert.Equal((OrganizationsErrorCodes.AccessDenied, "DescribeOrganization"), (error.ErrorCode, error.Operation));
    }

    /// <summary>
    /// The cost of one discovery in Organizations calls, for 10, 100 and 1,000 accounts with one OU per 10 accounts
    /// (a ternary tree) and the model's page size of 20: DescribeOrganization + ListRoots + per parent (root and each OU)
    /// one ListOrganizationalUnitsForParent page per 20 child OUs (at least one) and one ListAccountsForParent page per 20
    /// accounts (at least one). The count is exact, so the walk cannot silently grow with accounts × OUs.
    /// </summary>
    [Theory]
    [InlineData(10, 1)]
    [InlineData(100, 10)]
    [InlineData(1000, 100)]
    public async Task DiscoveryCost_ShouldGrowWithOusAndPages(int accounts, int ous)
    {
        var scenario = ScenarioGenerator.Generate(new ScenarioGeneratorSettings { Accounts = accounts, UsersPerAccount = 0, OrganizationalUnits = ous, Seed = 11 }, EmulatorHarness.Start);
        var org = scenario.Organization!;
        await using var h = await EmulatorHarness.StartAsync(scenario);
        using var http = new HttpClient();

        var result = await DiscoverAsync(h, http, new DiscoveryOptions());

        static int Pages(int items) => Math.Max(1, (items + OrganizationsClient.PageSize - 1) / OrganizationsClient.PageSize);
        var parents = org.OrganizationalUnits.Select(o => o.Id).Prepend(org.RootId).ToList();
        var expected = 2 + parents.Sum(p => Pages(org.OrganizationalUnits.Count(o => o.ParentId == p)) + Pages(scenario.Accounts.Count(a => (a.ParentId ?? org.RootId) == p)));
        output.WriteLine($"{accounts} accounts, {ous} OUs: {result.TotalCalls} Organizations calls ({string.Join(", ", result.Calls.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}); emulator saw {h.Emulator.Stats.TotalCalls - 1} after STS");
        Assert.Equal(accounts, result.Decisions.Count);
        Assert.Equal(expected, result.TotalCalls);
    }

    internal static EmulatorScenario Organization(int accounts, int ous, int suspended = 0) =>
        OrganizationsEmulatorTests.Organization(accounts, ous, suspended);

    private static Task<DiscoveryResult> DiscoverAsync(EmulatorHarness h, HttpClient http, DiscoveryOptions options) =>
        DiscoverAsync(h, http, new DiscoveryFilter(options));

    private static async Task<DiscoveryResult> DiscoverAsync(EmulatorHarness h, HttpClient http, DiscoveryFilter filter)
    {
        var central = await h.Client.AssumeCentralRoleAsync();
        return await OrganizationDiscovery.DiscoverAsync(Client(h, http, central), filter, CancellationToken.None);
    }

    private static OrganizationsClient Client(EmulatorHarness h, HttpClient http, TestCredentials credentials) =>
        new(new AwsRequestPipeline(
            http,
            new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            OrganizationsEndpoints.For(AwsPartition.Aws, h.Emulator.Endpoint),
            new AwsPipelineOptions(8, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30)),
            UnpacedRequests.Instance,
            h.Time,
            null,
            "management"));
}
