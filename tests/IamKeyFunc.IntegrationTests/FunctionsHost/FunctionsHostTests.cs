using System.Text.Json;
using System.Text.Json.Nodes;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>One real Functions host on the built app, shared by the tests of <see cref="FunctionsHostTests"/>.</summary>
public sealed class FunctionsHostFixture : IAsyncLifetime
{
    internal HostedFunctionApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (FunctionsHostEnvironment.SkipReason is null)
        {
            App = await HostedFunctionApp.StartAsync(settings => settings["IamKey__Collection__KeyIdFormat"] = "Full");
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FunctionsHostCollection : ICollectionFixture<FunctionsHostFixture>
{
    public const string Name = "Functions host";
}

/// <summary>
/// The Function app in the real Functions host: the host loads it, routes HTTP with function keys, runs the timer
/// through the admin API, and relays the worker's logs; every call goes to the loopback AWS and Azure stand-ins.
/// </summary>
[Collection(FunctionsHostCollection.Name)]
public sealed class FunctionsHostTests(FunctionsHostFixture fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private static readonly SemaphoreSlim OneRunAtATime = new(1, 1);

    private HostedFunctionApp App => fixture.App;

    [HostFact]
    public async Task Host_ShouldListEveryFunction()
    {
        var (status, body) = await App.AdminAsync(HttpMethod.Get, "admin/functions");

        Assert.Equal(200, status);
        var names = JsonNode.Parse(body)!.AsArray().Select(f => f!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(["CollectAccount", "CollectAccountPoisoned", "DailyReport", "RefreshReport"], names);
        Assert.Contains("Mapped function route 'api/report/refresh' [post] to 'RefreshReport'", App.Host.Output, StringComparison.Ordinal);
    }

    [HostFact]
    public async Task Refresh_WithTheFunctionKey_ShouldCollectEveryAccountAndDeliverToTheWorkspace()
    {
        await OneRunAtATime.WaitAsync();
        try
        {
            var (status, body) = await App.RefreshAsync("");

            Assert.Equal(200, status);
            var runId = body!["runId"]!.GetValue<string>();
            Assert.True(body["status"]!.GetValue<string>() == "PartiallySucceeded", body.ToJsonString()); // the sample's legacy account denies the central role
            Assert.Equal("http", body["trigger"]!.GetValue<string>());
            Assert.Equal(App.Aws.Scenario.Accounts.Count, body["accounts"]!.AsArray().Count);
            var expected = App.ReachableAccounts.Sum(a => App.Aws.Scenario.ExpectedKeys(a.AccountId).Count);
            Assert.Equal(expected, body["delivery"]!["keys"]!["delivered"]!.GetValue<int>());
            Assert.Equal(expected, RowsOf(runId).Count);
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    [HostFact]
    public async Task Refresh_DryRunForOneAccount_ShouldReturnItsRecordsSkipTheOthersAndDeliverNothing()
    {
        var account = App.ReachableAccounts.First(a => App.Aws.Scenario.ExpectedKeys(a.AccountId).Count > 0);
        await OneRunAtATime.WaitAsync();
        try
        {
            var (status, body) = await App.RefreshAsync($"dryRun=true&account={account.AccountId}");

            Assert.Equal(200, status);
            Assert.True(body!["dryRun"]!.GetValue<bool>());
            Assert.Null(body["delivery"]);
            var accounts = body["accounts"]!.AsArray();
            Assert.Equal("Succeeded", Assert.Single(accounts, a => a!["accountId"]!.GetValue<string>() == account.AccountId)!["status"]!.GetValue<string>());
            Assert.All(accounts.Where(a => a!["accountId"]!.GetValue<string>() != account.AccountId), a => Assert.Equal("Skipped", a!["status"]!.GetValue<string>()));
            var records = body["records"]!.AsArray().Select(r => JsonSerializer.Deserialize<JsonElement>(r!.ToJsonString())).ToList();
            AssertMatchesGroundTruth(App.Aws.Scenario.ExpectedKeys(account.AccountId), records);
            Assert.Empty(RowsOf(body["runId"]!.GetValue<string>()));
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    [HostTheory]
    [InlineData("account=12345", "account '12345' is not an AWS account ID")]
    [InlineData("account=999999999999", "999999999999")]
    [InlineData("dryRun=maybe", "dryRun must be true or false")]
    public async Task Refresh_WithBadInput_ShouldAnswer400NamingTheProblem(string query, string expected)
    {
        var (status, body) = await App.RefreshAsync(query);

        Assert.Equal(400, status);
        Assert.Contains(expected, body!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [HostFact(NeedsKeyChecks = true)]
    public async Task Refresh_WithoutAKey_ShouldAnswer401AndRunNothing()
    {
        var calls = App.Aws.Stats.TotalCalls;

        var (status, _) = await App.RefreshAsync("dryRun=true", withKey: false);

        Assert.Equal(401, status);
        Assert.Equal(calls, App.Aws.Stats.TotalCalls);
    }

    [HostFact]
    public async Task Refresh_WhileARunIsInProgress_ShouldAnswer409WithTheRunningRunId()
    {
        await OneRunAtATime.WaitAsync();
        App.Aws.Options.Latency = TimeSpan.FromMilliseconds(400); // every STS and IAM call: the first run takes seconds
        try
        {
            var calls = App.Aws.Stats.TotalCalls;
            var first = App.RefreshAsync("dryRun=true");
            var waiting = TimeProvider.System.GetTimestamp();
            while (App.Aws.Stats.TotalCalls == calls && TimeProvider.System.GetElapsedTime(waiting) < RunTimeout)
            {
                await Task.Delay(50);
            }

            var (status, body) = await App.RefreshAsync("dryRun=true");
            App.Aws.Options.Latency = TimeSpan.Zero;
            var (firstStatus, firstBody) = await first;

            Assert.Equal(409, status);
            Assert.Equal(200, firstStatus);
            Assert.Equal(firstBody!["runId"]!.GetValue<string>(), body!["runningRunId"]!.GetValue<string>());
            Assert.Contains("already in progress", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            App.Aws.Options.Latency = TimeSpan.Zero;
            OneRunAtATime.Release();
        }
    }

    [HostFact]
    public async Task Timer_RunThroughTheAdminApi_ShouldDeliverTheGroundTruthThroughManagedIdentityAndKeyVault()
    {
        await OneRunAtATime.WaitAsync();
        try
        {
            var executed = Count(App.Host.Output, "Executed 'Functions.DailyReport'");

            var (status, _) = await App.AdminAsync(HttpMethod.Post, "admin/functions/DailyReport", """{"input":""}""");

            Assert.Equal(202, status);
            await App.Host.WaitForOutputAsync(o => Count(o, "Executed 'Functions.DailyReport'") > executed, RunTimeout, "the timer run");
            Assert.True(App.Host.Output.Contains("Executed 'Functions.DailyReport' (Succeeded", StringComparison.Ordinal), App.Host.Tail(80));
            var summaries = App.Azure.DataCollector.Records("AwsAccessKeyRunSummary").Where(s => s.GetProperty("Trigger").GetString() == "timer").ToList();
            var runId = summaries.Select(s => s.GetProperty("RunId").GetString()!).Distinct().Single();
            Assert.Equal(App.Aws.Scenario.Accounts.Count, summaries.Count);
            AssertMatchesGroundTruth([.. App.ReachableAccounts.SelectMany(a => App.Aws.Scenario.ExpectedKeys(a.AccountId))], RowsOf(runId));

            // The worker's identity asked the managed-identity endpoint for the AWS audience and for the vault, and read the key.
            var resources = App.Azure.ManagedIdentity.TokenRequests.Where(r => r.Status == 200).Select(r => r.Resource).ToHashSet();
            Assert.Contains(App.Aws.Scenario.CentralRole!.WebIdentity!.Audience, resources);
            Assert.Contains(HostedFunctionApp.VaultResource, resources);
            Assert.True(App.Azure.KeyVault.SecretReads >= 1);
            Assert.All(App.Azure.DataCollector.Posts, p => Assert.Equal(200, p.Status));
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    [HostFact]
    public async Task Logs_ShouldReachTheHostFromTheWorker_WithNoSecretInThem()
    {
        await OneRunAtATime.WaitAsync();
        try
        {
            var (status, body) = await App.RefreshAsync("");
            Assert.Equal(200, status);
            var runId = body!["runId"]!.GetValue<string>();
            await App.Host.WaitForOutputAsync(o => o.Contains($"Refresh run {runId} finished", StringComparison.Ordinal), RunTimeout, "the refresh's log line");

            var output = App.Host.Output;
            foreach (var account in App.Aws.Scenario.Accounts)
            {
                Assert.Contains($"Account {account.AccountId} ", output, StringComparison.Ordinal);
            }

            Assert.NotEmpty(App.Azure.ManagedIdentity.IssuedTokens);
            Assert.NotEmpty(App.Aws.IssuedSecrets);
            Assert.DoesNotContain(App.Secrets, secret => output.Contains(secret, StringComparison.Ordinal));
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    private List<JsonElement> RowsOf(string runId) =>
        [.. App.Azure.DataCollector.Records("AwsAccessKeyReport").Where(r => r.GetProperty("RunId").GetString() == runId)];

    /// <summary>One row per expected key, and the row's user, key, slot, status and dates are the emulator's.</summary>
    internal static void AssertMatchesGroundTruth(IReadOnlyList<ExpectedAccessKey> expected, IReadOnlyList<JsonElement> rows)
    {
        Assert.Equal(expected.Count, rows.Count);
        foreach (var key in expected)
        {
            var row = Assert.Single(rows, r => r.GetProperty("AccountId").GetString() == key.AccountId && (key.IsRoot
                ? r.GetProperty("RootKey").GetBoolean() && r.GetProperty("KeySlot").GetInt32() == key.KeySlot
                : r.TryGetProperty("AccessKeyId", out var id) && id.GetString() == key.AccessKeyId));
            Assert.Equal(key.UserName, row.GetProperty("UserName").GetString());
            Assert.Equal(key.KeySlot, row.GetProperty("KeySlot").GetInt32());
            Assert.Equal(key.Status, row.GetProperty("Status").GetString());
            Assert.Equal(key.CreateDate, row.GetProperty("KeyCreatedAt").GetDateTimeOffset());
            Assert.Equal(key.LastUsedDate, row.TryGetProperty("LastUsedAt", out var used) ? used.GetDateTimeOffset() : null);
            Assert.Equal(key.LastUsedDate is null, row.GetProperty("NeverUsed").GetBoolean());
        }
    }

    internal static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
