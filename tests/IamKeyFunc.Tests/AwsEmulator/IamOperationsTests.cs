using System.Net;
using IamKeyFunc.AwsEmulator.Scenario;
using static IamKeyFunc.Tests.AwsEmulator.IamAuthenticationTests;

namespace IamKeyFunc.Tests.AwsEmulator;

public sealed class IamOperationsTests
{
    [Fact]
    public async Task ListUsers_ShouldPageWithOpaqueMarkers_UntilIsTruncatedIsFalse()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 1, users: 250));
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var (names, pages, markers) = await ListAllUsersAsync(h, credentials, maxItems: 100);

        Assert.Equal(h.Emulator.Scenario.Accounts[0].Users.Select(u => u.UserName), names);
        Assert.Equal([100, 100, 50], pages);
        Assert.All(markers, m => Assert.False(int.TryParse(m, out _), $"marker '{m}' looks like a plain index"));
        Assert.Equal(markers.Count, markers.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task ListUsers_ShouldReturnShortPagesWhileTruncated_WhenPageShrinkingIsOn()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 1, users: 120), o => o.ShrinkPageProbability = 1.0);
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var (names, pages, _) = await ListAllUsersAsync(h, credentials, maxItems: 50);

        Assert.Equal(h.Emulator.Scenario.Accounts[0].Users.Select(u => u.UserName), names);
        Assert.Contains(pages.SkipLast(1), count => count < 50);
    }

    [Fact]
    public async Task ListUsers_ShouldWriteEveryUserMemberOfTheModel()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 1, users: 30));
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var account = h.Emulator.Scenario.Accounts[0];
        var withPassword = account.Users.First(u => u.PasswordLastUsed is not null);

        var answer = await h.Client.IamAsync(credentials, "ListUsers");

        var member = answer.Xml.Descendants(answer.Ns + "member").Single(m => m.Element(answer.Ns + "UserName")!.Value == withPassword.UserName);
        Assert.Equal("/", member.Element(answer.Ns + "Path")!.Value);
        Assert.Equal(withPassword.UserId, member.Element(answer.Ns + "UserId")!.Value);
        Assert.Equal(account.UserArn(withPassword), member.Element(answer.Ns + "Arn")!.Value);
        Assert.Equal(withPassword.CreateDate, DateTimeOffset.Parse(member.Element(answer.Ns + "CreateDate")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(withPassword.PasswordLastUsed, DateTimeOffset.Parse(member.Element(answer.Ns + "PasswordLastUsed")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("false", answer.Value("IsTruncated"));
        Assert.Null(answer.Value("Marker"));
    }

    [Theory]
    [InlineData("MaxItems", "0")]
    [InlineData("MaxItems", "1001")]
    [InlineData("MaxItems", "ten")]
    [InlineData("Marker", "not-a-marker-we-issued")]
    public async Task ListUsers_ShouldAnswerValidationError_ForBadPagingInput(string name, string value)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var answer = await h.Client.IamAsync(credentials, "ListUsers", (name, value));

        AssertError(answer, HttpStatusCode.BadRequest, "ValidationError", name == "Marker" ? "Marker" : "maxItems");
    }

    [Fact]
    public async Task Marker_ShouldNotBeAcceptedByAnotherList()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 2, users: 10));
        var central = await h.Client.AssumeCentralRoleAsync();
        var member = h.Emulator.Scenario.Accounts[1];
        var chained = await h.Client.AssumeRoleAsync(central, member.RoleArn(member.Roles[0]));
        var marker = (await h.Client.IamAsync(central, "ListUsers", ("MaxItems", "2"))).Value("Marker")!;

        var sameList = await h.Client.IamAsync(central, "ListUsers", ("MaxItems", "2"), ("Marker", marker));
        var otherAccount = await h.Client.IamAsync(chained, "ListUsers", ("MaxItems", "2"), ("Marker", marker));

        Assert.Equal(HttpStatusCode.OK, sameList.Status);
        Assert.Equal("ValidationError", otherAccount.ErrorCode);
    }

    [Fact]
    public async Task ListAccessKeys_ShouldReturnTheUsersKeysInSlotOrder()
    {
        await using var h = await EmulatorHarness.StartAsync(EmulatorHarness.Generated(accounts: 1, users: 60));
        var credentials = await h.Client.AssumeCentralRoleAsync();
        var expected = h.Emulator.Scenario.ExpectedKeys(h.Emulator.Scenario.Accounts[0].AccountId).Where(k => !k.IsRoot).ToList();
        var twoKeys = expected.GroupBy(k => k.UserName).First(g => g.Count() == 2);

        var answer = await h.Client.IamAsync(credentials, "ListAccessKeys", ("UserName", twoKeys.Key));

        var members = answer.Xml.Descendants(answer.Ns + "member").ToList();
        Assert.Equal(twoKeys.Select(k => k.AccessKeyId), members.Select(m => m.Element(answer.Ns + "AccessKeyId")!.Value));
        Assert.Equal(twoKeys.Select(k => k.Status), members.Select(m => m.Element(answer.Ns + "Status")!.Value));
        Assert.All(members, m => Assert.Equal(twoKeys.Key, m.Element(answer.Ns + "UserName")!.Value));
        Assert.Equal(twoKeys.Select(k => k.CreateDate), members.Select(m => DateTimeOffset.Parse(m.Element(answer.Ns + "CreateDate")!.Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("false", answer.Value("IsTruncated"));
    }

    [Fact]
    public async Task ListAccessKeys_ShouldRequireAnExistingUserName()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var missing = await h.Client.IamAsync(credentials, "ListAccessKeys");
        var unknown = await h.Client.IamAsync(credentials, "ListAccessKeys", ("UserName", "nobody"));

        AssertError(missing, HttpStatusCode.BadRequest, "ValidationError", "Must specify userName");
        AssertError(unknown, HttpStatusCode.NotFound, "NoSuchEntity", "nobody");
    }

    [Fact]
    public async Task GetAccessKeyLastUsed_ShouldReportLastUseOrNotApplicable()
    {
        await using var h = await EmulatorHarness.StartAsync(ScenarioGenerator.SampleOrganization(EmulatorHarness.Start));
        var prod = h.Emulator.Scenario.Accounts.Single(a => a.Alias == "example-prod");
        var central = await h.Client.AssumeCentralRoleAsync();
        var credentials = await h.Client.AssumeRoleAsync(central, prod.RoleArn(prod.Roles[0]));
        var keys = h.Emulator.Scenario.ExpectedKeys(prod.AccountId);
        var used = keys.Single(k => k.UserName == "alice");
        var never = keys.Single(k => k.UserName == "terraform");
        var s3 = keys.Single(k => k.UserName == "legacy-backup");

        var usedAnswer = await h.Client.IamAsync(credentials, "GetAccessKeyLastUsed", ("AccessKeyId", used.AccessKeyId));
        var neverAnswer = await h.Client.IamAsync(credentials, "GetAccessKeyLastUsed", ("AccessKeyId", never.AccessKeyId));
        var s3Answer = await h.Client.IamAsync(credentials, "GetAccessKeyLastUsed", ("AccessKeyId", s3.AccessKeyId));
        var unknownAnswer = await h.Client.IamAsync(credentials, "GetAccessKeyLastUsed", ("AccessKeyId", "AKIAFAKE000000000000"));

        Assert.Equal("alice", usedAnswer.Value("UserName"));
        Assert.Equal(used.LastUsedDate, DateTimeOffset.Parse(usedAnswer.Value("LastUsedDate")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((used.LastUsedRegion, used.LastUsedService), (usedAnswer.Value("Region"), usedAnswer.Value("ServiceName")));
        Assert.Null(neverAnswer.Value("LastUsedDate"));
        Assert.Equal(("N/A", "N/A"), (neverAnswer.Value("Region"), neverAnswer.Value("ServiceName")));
        Assert.Equal(("N/A", "s3"), (s3Answer.Value("Region"), s3Answer.Value("ServiceName")));
        AssertError(unknownAnswer, HttpStatusCode.NotFound, "NoSuchEntity", "AKIAFAKE000000000000");
    }

    [Fact]
    public async Task UnknownActionOrWrongVersion_ShouldAnswerInvalidAction()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var credentials = await h.Client.AssumeCentralRoleAsync();

        var unknown = await h.Client.IamAsync(credentials, "DeleteUser", ("UserName", "alice"));
        var wrongVersion = await h.Client.PostAsync(EmulatorTestClient.Parameters("ListUsers", "2011-06-15"), credentials);

        AssertError(unknown, HttpStatusCode.BadRequest, "InvalidAction", "DeleteUser");
        AssertError(wrongVersion, HttpStatusCode.BadRequest, "InvalidAction", "2011-06-15");
    }

    [Fact]
    public async Task QueryStringGet_ShouldBeAcceptedLikeAFormPost()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var scenario = h.Emulator.Scenario;
        var token = TestJwtFor(h);
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri(h.Emulator.Endpoint,
            $"?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={Uri.EscapeDataString(scenario.CentralRoleArn)}&RoleSessionName=get-test&WebIdentityToken={token}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string TestJwtFor(EmulatorHarness h) =>
        IamKeyFunc.AwsEmulator.TestJwt.ForScenario(h.Emulator.Scenario, h.Time.GetUtcNow().AddHours(1));

    private static async Task<(List<string> Names, List<int> Pages, List<string> Markers)> ListAllUsersAsync(EmulatorHarness h, TestCredentials credentials, int maxItems)
    {
        var names = new List<string>();
        var pages = new List<int>();
        var markers = new List<string>();
        string? marker = null;
        for (var guard = 0; guard < 1000; guard++)
        {
            (string, string)[] parameters = marker is null ? [("MaxItems", $"{maxItems}")] : [("MaxItems", $"{maxItems}"), ("Marker", marker)];
            var answer = await h.Client.IamAsync(credentials, "ListUsers", parameters);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var page = answer.Values("UserName");
            names.AddRange(page);
            pages.Add(page.Count);
            if (answer.Value("IsTruncated") != "true")
            {
                return (names, pages, markers);
            }

            marker = answer.Value("Marker")!;
            markers.Add(marker);
        }

        throw new InvalidOperationException("ListUsers never finished.");
    }
}
