using System.Diagnostics;
using System.Text;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Aws;

namespace IamKeyFunc.IntegrationTests.Aws;

/// <summary>
/// STS and IAM servers that quote back part of a secret in an error: the web-identity token, the signing session's token,
/// the secret key STS issued; a prefix, a middle slice, percent-encoded, base64 of a part, or whole. No run of 8 or more
/// characters of what they echoed may reach a summary, a log line or an exception.
/// </summary>
public sealed class SecretEchoTests
{
    private const int Run = 8;

    private static readonly Dictionary<string, Func<string, string>> Shapes = new()
    {
        ["whole"] = s => s,
        ["prefix"] = s => s[..24],
        ["middle"] = s => s.Substring((s.Length / 2) - 15, 30),
        ["percent-encoded part"] = s => Uri.EscapeDataString(s.Substring(3, 36)),
        ["base64 of a part"] = s => Convert.ToBase64String(Encoding.UTF8.GetBytes(s.Substring(7, 30))),
        ["base64url of a part"] = s => Convert.ToBase64String(Encoding.UTF8.GetBytes(s.Substring(4, 31))).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
    };

    public static TheoryData<EchoedSecret, string, string> Cases()
    {
        var data = new TheoryData<EchoedSecret, string, string>();
        foreach (var shape in Shapes.Keys)
        {
            data.Add(EchoedSecret.WebIdentityToken, "AssumeRoleWithWebIdentity", shape);
            data.Add(EchoedSecret.SessionToken, "AssumeRole", shape);
            data.Add(EchoedSecret.SessionToken, "ListUsers", shape);
            data.Add(EchoedSecret.SecretAccessKey, "ListUsers", shape);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Run_ShouldRedactEveryPartOfAnEchoedSecret_FromSummariesLogsAndExceptions(EchoedSecret secret, string operation, string shape)
    {
        // Arrange: a central and a member account, STS and IAM behind the hostile server
        await using var env = await HostileEnvironment.StartAsync(HostileMode.EchoSecretInError, operation, scenario: EmulatedAws.Generate(accounts: 2, users: 3), sts: true);
        env.Hostile.EchoedSecret = secret;
        env.Hostile.Echo = Shapes[shape];
        var central = env.AccountId;
        var member = env.Aws.Scenario.Accounts[1].AccountId;
        var failing = operation == "AssumeRole" ? member : central;

        // Act
        var watch = Stopwatch.StartNew();
        var result = await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(HostileEnvironment.Guard);
        var collection = await Record.ExceptionAsync(() => env.Aws.Collector.CollectAsync(env.Aws.Session(failing), EmulatedAws.NewRun(), FactRequest.KeysOnly));

        // Assert: the failing account(s) fail with the server's code; the member account of a refused central session too
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.NotEmpty(env.Hostile.Echoed);
        var memberOnly = operation == "AssumeRole"; // the other operations are every account's
        Assert.Equal(
            [$"{central}|{(memberOnly ? "Succeeded|" : "Failed|ValidationError")}", $"{member}|Failed|ValidationError"],
            result.Accounts.Select(a => $"{a.AccountId}|{a.Status}|{a.ErrorCode}"));
        Assert.Equal(memberOnly ? env.Aws.Scenario.ExpectedKeys(central).Count : 0, result.Records.Count);
        Assert.Equal(memberOnly ? RunStatus.PartiallySucceeded : RunStatus.Failed, result.Status);
        var exception = Assert.IsType<AccountCollectionException>(collection);
        Assert.Contains("ValidationError", exception.ToString(), StringComparison.Ordinal);

        foreach (var echoed in env.Hostile.Echoed.Distinct())
        {
            AssertNoRunOf(echoed, string.Join('\n', result.Accounts.Select(a => a.ErrorMessage)), "summaries");
            AssertNoRunOf(echoed, env.Aws.Logs.AllText, "logs");
            AssertNoRunOf(echoed, exception.ToString(), "exception");
        }
    }

    /// <summary>Fails when <paramref name="text"/> holds any <see cref="Run"/> characters in a row of <paramref name="echoed"/>.</summary>
    private static void AssertNoRunOf(string echoed, string text, string where)
    {
        for (var i = 0; i + Run <= echoed.Length; i++)
        {
            var part = echoed.Substring(i, Run);
            Assert.False(text.Contains(part, StringComparison.Ordinal), $"the {where} hold '{part}' of the echoed '{echoed}':\n{text}");
        }
    }
}
