using System.Net;
using System.Text.Json;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.Tests.AwsEmulator;

/// <summary>The emulator's Organizations service over JSON 1.1, called raw with the test client's own SigV4 signer.</summary>
public sealed class OrganizationsEmulatorTests
{
    private const string Prefix = "AWSOrganizationsV20161128.";

    internal static EmulatorScenario Organization(int accounts = 10, int ous = 4, int suspended = 0, int denying = 0) =>
        ScenarioGenerator.Generate(
            new ScenarioGeneratorSettings { Accounts = accounts, UsersPerAccount = 2, Seed = 3, OrganizationalUnits = ous, SuspendedAccounts = suspended, DenyingMemberAccounts = denying },
            EmulatorHarness.Start);

    [Fact]
    public async Task ListRoots_ShouldAnswerJson11_FromTheManagementAccount()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization());
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var org = h.Emulator.Scenario.Organization!;

        var answer = await h.Client.JsonAsync(credentials, Prefix + "ListRoots");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/x-amz-json-1.1", answer.Response.Content.Headers.ContentType!.MediaType);
        Assert.True(answer.Response.Headers.Contains("x-amzn-RequestId"));
        var root = Assert.Single(answer.Json.GetProperty("Roots").EnumerateArray());
        Assert.Equal(org.RootId, root.GetProperty("Id").GetString());
        Assert.Equal($"arn:aws:organizations::{org.ManagementAccountId}:root/{org.Id}/{org.RootId}", root.GetProperty("Arn").GetString());
        Assert.False(answer.Json.TryGetProperty("NextToken", out _));
    }

    [Fact]
    public async Task Lists_ShouldPageWithOpaqueTokens_AndCoverTheWholeTree()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization(accounts: 30, ous: 13));
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var org = h.Emulator.Scenario.Organization!;

        var seenAccounts = new List<string>();
        var seenUnits = new List<string>();
        var parents = new Queue<string>([org.RootId]);
        var pages = 0;
        while (parents.TryDequeue(out var parent))
        {
            foreach (var unit in await ListAllAsync(h, credentials, "ListOrganizationalUnitsForParent", parent, "OrganizationalUnits", () => pages++))
            {
                seenUnits.Add(unit.GetProperty("Id").GetString()!);
                parents.Enqueue(unit.GetProperty("Id").GetString()!);
            }

            seenAccounts.AddRange((await ListAllAsync(h, credentials, "ListAccountsForParent", parent, "Accounts", () => pages++)).Select(a => a.GetProperty("Id").GetString()!));
        }

        Assert.Equal(org.OrganizationalUnits.Select(o => o.Id).Order(), seenUnits.Order());
        Assert.Equal(h.Emulator.Scenario.Accounts.Select(a => a.AccountId).Order(), seenAccounts.Order());
        Assert.True(pages > seenUnits.Count + 1 + 10, $"expected many pages with MaxResults 2, got {pages}");
    }

    [Fact]
    public async Task NextToken_ShouldBeRejectedAsInvalidInput_WhenForgedOrFromAnotherList()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization(accounts: 10, ous: 1));
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var org = h.Emulator.Scenario.Organization!;
        var unit = org.OrganizationalUnits[0].Id;

        var first = await h.Client.JsonAsync(credentials, Prefix + "ListAccountsForParent", Body(("ParentId", unit), ("MaxResults", 2)));
        var token = first.Json.GetProperty("NextToken").GetString()!;
        var otherList = await h.Client.JsonAsync(credentials, Prefix + "ListAccounts", Body(("NextToken", token)));
        var forged = await h.Client.JsonAsync(credentials, Prefix + "ListAccountsForParent", Body(("ParentId", unit), ("NextToken", "AAAAAAAAAAAAAAAAAAAAAA==")));
        var tooMany = await h.Client.JsonAsync(credentials, Prefix + "ListAccountsForParent", Body(("ParentId", unit), ("MaxResults", 21)));

        Assert.Equal(2, first.Json.GetProperty("Accounts").GetArrayLength());
        foreach (var answer in new[] { otherList, forged, tooMany })
        {
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidInputException"), (answer.Status, answer.ErrorCode));
        }

        Assert.Equal("INVALID_NEXT_TOKEN", forged.Json.GetProperty("Reason").GetString());
        Assert.Equal("MAX_VALUE_EXCEEDED", tooMany.Json.GetProperty("Reason").GetString());
    }

    [Fact]
    public async Task Operations_ShouldDenyAMemberAccount_UnlessItIsADelegatedAdministrator()
    {
        var scenario = Organization(accounts: 3, ous: 1);
        var admin = scenario.Accounts[2];
        scenario.Organization!.DelegatedAdministrators.Add(admin.AccountId);
        await using var h = await EmulatorHarness.StartAsync(scenario);
        var central = await h.Client.AssumeCentralRoleAsync();
        var member = await h.Client.AssumeRoleAsync(central, scenario.Accounts[1].RoleArn(scenario.Accounts[1].Roles[0]));
        var delegated = await h.Client.AssumeRoleAsync(central, admin.RoleArn(admin.Roles[0]));

        var denied = await h.Client.JsonAsync(member, Prefix + "ListAccounts");
        var allowed = await h.Client.JsonAsync(delegated, Prefix + "ListAccounts");

        Assert.Equal((HttpStatusCode.BadRequest, "AccessDeniedException"), (denied.Status, denied.ErrorCode));
        Assert.Equal("You don't have permissions to access this resource.", denied.Json.GetProperty("Message").GetString());
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal(3, allowed.Json.GetProperty("Accounts").GetArrayLength());
    }

    [Fact]
    public async Task Operations_ShouldAnswerNotInUse_WhenTheScenarioHasNoOrganization()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated());
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var answer = await h.Client.JsonAsync(credentials, Prefix + "DescribeOrganization");

        Assert.Equal((HttpStatusCode.BadRequest, "AWSOrganizationsNotInUseException"), (answer.Status, answer.ErrorCode));
    }

    [Fact]
    public async Task RateLimit_ShouldAnswerTooManyRequests_ForTheWholeOrganization()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization(), o => o.OrganizationsRateLimit = new EmulatorRateLimit(1, 2));
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var answers = new List<JsonAnswer>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await h.Client.JsonAsync(credentials, Prefix + "ListRoots"));
        }

        h.Time.Advance(TimeSpan.FromSeconds(1));
        var refilled = await h.Client.JsonAsync(credentials, Prefix + "ListRoots");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest], answers.Select(a => a.Status));
        Assert.Equal("TooManyRequestsException", answers[2].ErrorCode);
        Assert.Equal(HttpStatusCode.OK, refilled.Status);
        Assert.Equal(1, h.Emulator.Stats.ThrottledResponses);
    }

    [Fact]
    public async Task Accounts_ShouldCarryNameStatusStateAndTags()
    {
        await using var h = await EmulatorHarness.StartAsync(ScenarioGenerator.SampleOrganization(EmulatorHarness.Start), o => o.OrganizationsMaxPageSize = 1);
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var accounts = await ListAllAsync(h, credentials, "ListAccounts", null, "Accounts", () => { });
        var retired = accounts.Single(a => a.GetProperty("Id").GetString() == "888899990000");
        var tags = await ListAllAsync(h, credentials, "ListTagsForResource", null, "Tags", () => { }, ("ResourceId", "444455556666"));
        var unknown = await h.Client.JsonAsync(credentials, Prefix + "ListTagsForResource", Body(("ResourceId", "999999999999")));
        var badParent = await h.Client.JsonAsync(credentials, Prefix + "ListAccountsForParent", Body(("ParentId", "ou-ex01-nothere1")));

        Assert.Equal(5, accounts.Count);
        Assert.Equal(("Retired", "SUSPENDED", "SUSPENDED"), (retired.GetProperty("Name").GetString(), retired.GetProperty("Status").GetString(), retired.GetProperty("State").GetString()));
        Assert.Equal(JsonValueKind.Number, retired.GetProperty("JoinedTimestamp").ValueKind);
        Assert.Equal(["Environment=prod", "Owner=platform-team"], tags.Select(t => $"{t.GetProperty("Key").GetString()}={t.GetProperty("Value").GetString()}"));
        Assert.Equal("TargetNotFoundException", unknown.ErrorCode);
        Assert.Equal("ParentNotFoundException", badParent.ErrorCode);
    }

    [Fact]
    public async Task Requests_ShouldBeRejected_WhenSignedForAnotherServiceOrRegion_OrNotJson11()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization());
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var wrongService = await h.Client.JsonAsync(credentials, Prefix + "ListRoots", service: "iam");
        var wrongRegion = await h.Client.JsonAsync(credentials, Prefix + "ListRoots", region: "eu-west-1");
        var unknownOperation = await h.Client.JsonAsync(credentials, Prefix + "DeleteOrganization");
        var wrongPrefix = await h.Client.JsonAsync(credentials, "AWSOrganizationsV20990101.ListRoots");
        var formEncoded = await h.Client.JsonAsync(credentials, Prefix + "ListRoots", contentType: "application/x-www-form-urlencoded");
        var unsigned = await h.Client.JsonAsync(null, Prefix + "ListRoots");

        Assert.Equal("InvalidSignatureException", wrongService.ErrorCode);
        Assert.Equal("InvalidSignatureException", wrongRegion.ErrorCode);
        Assert.Equal("UnknownOperationException", unknownOperation.ErrorCode);
        Assert.Equal("UnknownOperationException", wrongPrefix.ErrorCode);
        Assert.Equal("SerializationException", formEncoded.ErrorCode);
        Assert.Equal((HttpStatusCode.BadRequest, "MissingAuthenticationTokenException"), (unsigned.Status, unsigned.ErrorCode));
    }

    [Fact]
    public async Task ExpiredSession_ShouldAnswerExpiredTokenException()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization());
        var credentials = await h.Client.AssumeCentralRoleAsync();
        h.Emulator.ExpireAllSessions();

        var answer = await h.Client.JsonAsync(credentials, Prefix + "ListRoots");

        Assert.Equal((HttpStatusCode.BadRequest, "ExpiredTokenException"), (answer.Status, answer.ErrorCode));
    }

    [Fact]
    public async Task ChangeScenario_ShouldMakeANewAccountVisibleInItsOrganizationalUnit()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization(accounts: 3, ous: 1));
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var unit = h.Emulator.Scenario.Organization!.OrganizationalUnits[0].Id;

        h.Emulator.ChangeScenario(s => s.Accounts.Add(new EmulatorAccount { AccountId = "210987654321", Name = "New", ParentId = unit, CreateDate = EmulatorHarness.Start }));
        var answer = await h.Client.JsonAsync(credentials, Prefix + "ListAccountsForParent", Body(("ParentId", unit)));

        Assert.Contains(answer.Json.GetProperty("Accounts").EnumerateArray(), a => a.GetProperty("Id").GetString() == "210987654321");
        Assert.Throws<InvalidOperationException>(() => h.Emulator.ChangeScenario(s => s.Accounts.Add(new EmulatorAccount { AccountId = "210987654322", ParentId = "ou-zzzz-notthere", CreateDate = EmulatorHarness.Start })));
    }

    [Fact]
    public async Task Faults_ShouldAnswerJsonErrors_ForOrganizationsOperations()
    {
        await using var h = await EmulatorHarness.StartAsync(Organization());
        h.Emulator.Options.Faults.FailNext("ListRoots", 1, "ServiceException", 500);
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var failed = await h.Client.JsonAsync(credentials, Prefix + "ListRoots");
        var next = await h.Client.JsonAsync(credentials, Prefix + "ListRoots");

        Assert.Equal((HttpStatusCode.InternalServerError, "ServiceException"), (failed.Status, failed.ErrorCode));
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public void Generate_ShouldBuildATernaryOuTreeWithTagsAndSuspendedAccounts_ThatSurvivesJson()
    {
        var scenario = Organization(accounts: 20, ous: 13, suspended: 2, denying: 1);
        var org = scenario.Organization!;

        Assert.Equal(3, org.OrganizationalUnits.Count(o => o.ParentId == org.RootId));
        Assert.Equal("Root/OU000/OU003/OU012", org.PathOf(org.OrganizationalUnits[12].Id));
        Assert.Equal(scenario.Accounts[0].AccountId, org.ManagementAccountId);
        Assert.Null(scenario.Accounts[0].ParentId);
        Assert.Equal(["SUSPENDED", "SUSPENDED"], scenario.Accounts.Where(a => a.State != "ACTIVE").Select(a => a.State));
        Assert.Equal([17, 18], scenario.Accounts.Select((a, i) => (a, i)).Where(x => x.a.State == "SUSPENDED").Select(x => x.i));
        Assert.All(scenario.Accounts, a => Assert.Equal(["CostCenter", "Environment"], a.Tags.Keys.Order()));
        var loaded = EmulatorScenario.FromJson(scenario.ToJson());
        loaded.Validate();
        Assert.Equal(scenario.ToJson(), loaded.ToJson());
        Assert.Null(EmulatorHarness.Generated().Organization);
    }

    internal static string Body(params (string Name, object Value)[] members) =>
        JsonSerializer.Serialize(members.ToDictionary(m => m.Name, m => m.Value));

    private static async Task<List<JsonElement>> ListAllAsync(
        EmulatorHarness h, TestCredentials credentials, string operation, string? parentId, string member, Action onPage, params (string Name, object Value)[] extra)
    {
        var items = new List<JsonElement>();
        string? token = null;
        do
        {
            var members = new List<(string, object)>(extra);
            if (parentId is not null)
            {
                members.Add(("ParentId", parentId));
                members.Add(("MaxResults", 2));
            }

            if (token is not null)
            {
                members.Add(("NextToken", token));
            }

            var answer = await h.Client.JsonAsync(credentials, Prefix + operation, Body([.. members]));
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            onPage();
            items.AddRange(answer.Json.GetProperty(member).EnumerateArray());
            token = answer.Json.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return items;
    }
}
