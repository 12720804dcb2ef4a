using System.Text;
using System.Text.Json;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.Tests.AwsEmulator;

public sealed class ScenarioGeneratorTests
{
    private static readonly DateTimeOffset Now = EmulatorHarness.Start;

    [Fact]
    public void Generate_ShouldFollowTheDefaultKeyDistribution()
    {
        var scenario = ScenarioGenerator.Generate(new ScenarioGeneratorSettings { Accounts = 4, UsersPerAccount = 1000, Seed = 3 }, Now);
        var users = scenario.Accounts.SelectMany(a => a.Users).ToList();
        var keys = users.SelectMany(u => u.AccessKeys).ToList();

        Assert.Equal(4000, users.Count);
        Assert.Equal(2000, users.Count(u => u.AccessKeys.Count == 0));
        Assert.Equal(1400, users.Count(u => u.AccessKeys.Count == 1));
        Assert.Equal(600, users.Count(u => u.AccessKeys.Count == 2));
        Assert.Equal(2600, keys.Count);
        Assert.Equal(520, keys.Count(k => k.LastUsed is null));
        Assert.Equal(260, keys.Count(k => k.Status == "Inactive"));
        Assert.Contains(users, u => u.PasswordEnabled && u.MfaActive);
        Assert.Contains(users, u => u.PasswordEnabled && !u.MfaActive);
    }

    [Fact]
    public void Generate_ShouldKeepEveryDateConsistentAndSpreadOverTwoYears()
    {
        var scenario = ScenarioGenerator.Generate(new ScenarioGeneratorSettings { UsersPerAccount = 2000 }, Now);
        var pairs = scenario.Accounts[0].Users.SelectMany(u => u.AccessKeys.Select(k => (User: u, Key: k))).ToList();

        Assert.All(pairs, p =>
        {
            Assert.InRange(p.Key.CreateDate, p.User.CreateDate, Now);
            Assert.Equal(0, p.Key.CreateDate.UtcTicks % TimeSpan.TicksPerSecond);
            if (p.Key.LastUsed is { } used)
            {
                Assert.InRange(used.Date, p.Key.CreateDate, Now);
            }
        });
        var ages = pairs.Select(p => (Now - p.Key.CreateDate).TotalDays).ToList();
        Assert.True(ages.Max() > 500 && ages.Min() < 30 && ages.Max() <= 730, $"key ages {ages.Min():0}..{ages.Max():0} days");
        scenario.Validate();
    }

    [Fact]
    public void Generate_ShouldBeDeterministicPerSeed()
    {
        var settings = new ScenarioGeneratorSettings { Accounts = 2, UsersPerAccount = 50, Seed = 11 };

        var first = ScenarioGenerator.Generate(settings, Now).ToJson();
        var again = ScenarioGenerator.Generate(settings, Now).ToJson();
        var otherSeed = ScenarioGenerator.Generate(settings with { Seed = 12 }, Now).ToJson();

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Generate_ShouldMakeObviouslyFakeKeysAndTrustTheCentralRole()
    {
        var scenario = ScenarioGenerator.Generate(new ScenarioGeneratorSettings { Accounts = 3, UsersPerAccount = 40, DenyingMemberAccounts = 1 }, Now);

        Assert.All(scenario.ExpectedKeys(), k => Assert.Matches("^AKIAFAKE[A-Z2-7]{12}$", k.AccessKeyId));
        Assert.Equal([scenario.CentralRoleArn], scenario.Accounts[1].Roles.Single().TrustedPrincipalArns);
        Assert.DoesNotContain(scenario.CentralRoleArn, scenario.Accounts[2].Roles.Single().TrustedPrincipalArns);
        Assert.Equal("https://sts.windows.net/00000000-1111-2222-3333-444444444444/", scenario.Oidc.Issuer);
    }

    [Fact]
    public void Json_ShouldRoundTripTheGroundTruth()
    {
        var scenario = ScenarioGenerator.SampleOrganization(Now);

        var loaded = EmulatorScenario.FromJson(scenario.ToJson());

        Assert.Equal(scenario.ExpectedKeys(), loaded.ExpectedKeys());
        Assert.Equal(scenario.CentralRoleArn, loaded.CentralRoleArn);
        Assert.Equal(scenario.ToJson(), loaded.ToJson());
    }

    [Fact]
    public void SampleOrganization_ShouldHaveNamedUsersARootKeyAndADenyingAccount()
    {
        var scenario = ScenarioGenerator.SampleOrganization(Now);
        var keys = scenario.ExpectedKeys();

        Assert.Contains(keys, k => k.UserName == "ci-deploy");
        Assert.Contains(keys, k => k.UserName == "alice");
        Assert.Contains(keys, k => k.UserName == "legacy-backup");
        Assert.Single(keys, k => k.IsRoot);
        Assert.Equal(2, keys.Count(k => k.UserName == "ci-deploy"));
        Assert.Equal([1, 2], keys.Where(k => k.UserName == "ci-deploy").Select(k => k.KeySlot));
        var legacy = scenario.Accounts.Single(a => a.Alias == "example-legacy");
        Assert.DoesNotContain(scenario.CentralRoleArn, legacy.Roles.Single().TrustedPrincipalArns);
        Assert.Equal("arn:aws:iam::111122223333:role/IamKeyFuncReader", scenario.CentralRoleArn);
    }

    [Fact]
    public void Validate_ShouldRejectMoreThanTwoKeysAndMalformedIds()
    {
        var tooMany = ScenarioGenerator.SampleOrganization(Now);
        var alice = tooMany.Accounts[1].Users.Single(u => u.UserName == "alice");
        alice.AccessKeys.Add(new EmulatorAccessKey { AccessKeyId = "AKIAFAKEAAAAAAAAAAA2", CreateDate = Now });
        alice.AccessKeys.Add(new EmulatorAccessKey { AccessKeyId = "AKIAFAKEAAAAAAAAAAA3", CreateDate = Now });
        var malformed = ScenarioGenerator.SampleOrganization(Now);
        malformed.Accounts[1].Users.Single(u => u.UserName == "alice").AccessKeys[0].AccessKeyId = "akia-lowercase";

        Assert.Contains("two", Assert.Throws<InvalidOperationException>(tooMany.Validate).Message, StringComparison.Ordinal);
        Assert.Contains("malformed", Assert.Throws<InvalidOperationException>(malformed.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestJwt_ShouldBeAWellFormedEntraV1Token()
    {
        var expires = Now.AddHours(1);

        var token = TestJwt.Create("https://sts.windows.net/tenant-id/", "api://app-id", "subject-id", expires);

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"RS256","typ":"JWT"}""", Decode(parts[0]));
        using var payload = JsonDocument.Parse(Decode(parts[1]));
        var claims = payload.RootElement;
        Assert.Equal("https://sts.windows.net/tenant-id/", claims.GetProperty("iss").GetString());
        Assert.Equal("api://app-id", claims.GetProperty("aud").GetString());
        Assert.Equal("subject-id", claims.GetProperty("sub").GetString());
        Assert.Equal("subject-id", claims.GetProperty("oid").GetString());
        Assert.Equal("app-id", claims.GetProperty("appid").GetString());
        Assert.Equal("1.0", claims.GetProperty("ver").GetString());
        Assert.Equal(expires.ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.True(claims.GetProperty("iat").GetInt64() <= claims.GetProperty("nbf").GetInt64());
    }

    private static string Decode(string segment) => Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(segment));
}
