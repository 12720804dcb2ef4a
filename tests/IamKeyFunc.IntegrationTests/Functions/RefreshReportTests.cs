using System.Text.RegularExpressions;

namespace IamKeyFunc.IntegrationTests.Functions;

/// <summary><c>POST /api/report/refresh</c> end to end: the function, the real job, the loopback AWS emulator and the fake workspace.</summary>
public sealed partial class RefreshReportTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private FunctionAppHarness _app = null!;

    private CancellationToken Token => _timeout.Token;

    public async Task InitializeAsync() => _app = await FunctionAppHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Refresh_ShouldCollectEveryAccountDeliverAndAnswerTheSummary()
    {
        var (status, body) = await _app.RefreshAsync("?code=ignored", Token);

        Assert.Equal(200, status);
        Assert.Matches(RunIdPattern(), (string?)body["runId"]);
        Assert.Equal("http", (string?)body["trigger"]);
        Assert.False((bool?)body["dryRun"]);
        Assert.Null(body["records"]);
        Assert.Equal("PartiallySucceeded", (string?)body["status"]); // the sample's legacy account denies the central role
        var accounts = body["accounts"]!.AsArray();
        Assert.Equal(_app.ConfiguredAccounts.Count(), accounts.Count);
        foreach (var expected in _app.ReachableAccounts)
        {
            var account = Assert.Single(accounts, a => (string?)a!["accountId"] == expected.AccountId)!;
            Assert.Equal("Succeeded", (string?)account["status"]);
            Assert.Equal(expected.Alias, (string?)account["accountAlias"]);
            Assert.Equal(expected.Users.Count, (int?)account["usersScanned"]);
            Assert.Equal(_app.Aws.Scenario.ExpectedKeys(expected.AccountId).Count, (int?)account["keysReported"]);
        }

        var denied = Assert.Single(accounts, a => (string?)a!["status"] == "Failed")!;
        Assert.Equal("AccessDenied", (string?)denied["errorCode"]);

        var keysReported = accounts.Sum(a => (int)a!["keysReported"]!);
        Assert.Equal(keysReported, (int?)body["delivery"]!["keys"]!["delivered"]);
        Assert.Equal(accounts.Count, (int?)body["delivery"]!["summaries"]!["delivered"]);
        Assert.Equal(keysReported, _app.Azure.DataCollector.Records("AwsAccessKeyReport").Count);
        Assert.Equal(accounts.Count, _app.Azure.DataCollector.Records("AwsAccessKeyRunSummary").Count);
    }

    [Fact]
    public async Task Refresh_ShouldCollectOnlyTheNamedAccounts_WhenAccountIsGiven()
    {
        const string prod = "444455556666";

        var (status, body) = await _app.RefreshAsync($"?account={prod}", Token);

        Assert.Equal(200, status);
        Assert.Equal("Succeeded", (string?)body["status"]);
        var accounts = body["accounts"]!.AsArray();
        Assert.Equal("Succeeded", (string?)Assert.Single(accounts, a => (string?)a!["accountId"] == prod)!["status"]);
        Assert.All(accounts.Where(a => (string?)a!["accountId"] != prod), a => Assert.Equal("Skipped", (string?)a!["status"]));
        var delivered = _app.Azure.DataCollector.Records("AwsAccessKeyReport");
        Assert.Equal(_app.Aws.Scenario.ExpectedKeys(prod).Count, delivered.Count);
        Assert.All(delivered, r => Assert.Equal(prod, r.GetProperty("AccountId").GetString()));
    }

    [Fact]
    public async Task Refresh_ShouldAcceptAnyDiscoveredAccount_WhenAccountsAreDiscovered()
    {
        // Arrange: no account is listed in the settings; discovery finds them in the sample organization
        await using var app = await FunctionAppHarness.StartAsync(discover: true);
        const string sandbox = "555566667777", retired = "888899990000";

        // Act
        var (status, body) = await app.RefreshAsync($"?account={sandbox}&account={retired}&dryRun=true", Token);
        var (unknownStatus, unknownBody) = await app.RefreshAsync("?account=123456789012", Token);

        // Assert
        Assert.Equal(200, status);
        var accounts = body["accounts"]!.AsArray();
        Assert.Equal(app.Aws.Scenario.Accounts.Count, accounts.Count);
        Assert.Equal("Succeeded", (string?)accounts.Single(a => (string?)a!["accountId"] == sandbox)!["status"]);
        var skipped = accounts.Single(a => (string?)a!["accountId"] == retired)!;
        Assert.Equal(("Skipped", "AccountNotActive"), ((string?)skipped["status"], (string?)skipped["errorCode"]));
        Assert.Equal(app.Aws.Scenario.ExpectedKeys(sandbox).Count, body["records"]!.AsArray().Count);
        Assert.Equal(400, unknownStatus);
        Assert.Contains("123456789012", (string?)unknownBody["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_ShouldReturnTheRecordsAndDeliverNothing_WhenDryRun()
    {
        var (status, body) = await _app.RefreshAsync("?dryRun=true&account=111122223333,444455556666", Token);

        Assert.Equal(200, status);
        Assert.True((bool?)body["dryRun"]);
        Assert.Null(body["delivery"]);
        var records = body["records"]!.AsArray();
        var expected = _app.Aws.Scenario.ExpectedKeys("111122223333").Count + _app.Aws.Scenario.ExpectedKeys("444455556666").Count;
        Assert.Equal(expected, records.Count);
        Assert.All(records, r =>
        {
            // Exactly as the sinks send them: the table's column names.
            Assert.Equal((string?)body["runId"], (string?)r!["RunId"]);
            Assert.NotNull(r["AccountId"]);
            Assert.NotNull(r["Findings"]);
        });
        Assert.Contains(records, r => (bool?)r!["RootKey"] == true);
        Assert.Empty(_app.Azure.DataCollector.Posts);
    }

    [Fact]
    public async Task Refresh_ShouldAnswer409WithTheRunningRunId_WhileTheTimerRunIsInProgress()
    {
        _app.Credential.Close();
        var timerRun = _app.RunTimerAsync(Token);
        var running = _app.Job.RunningRunId;
        Assert.NotNull(running);

        var (status, body) = await _app.RefreshAsync("", Token);

        Assert.Equal(409, status);
        Assert.Equal(running, (string?)body["runningRunId"]);
        Assert.Contains(running, (string?)body["error"], StringComparison.Ordinal);
        _app.Credential.Open();
        await timerRun;
        Assert.Null(_app.Job.RunningRunId);
        var (after, _) = await _app.RefreshAsync("?dryRun=true", Token);
        Assert.Equal(200, after);
    }

    [Theory]
    [InlineData("?account=12345", "account '12345' is not an AWS account ID (12 digits).")]
    [InlineData("?dryRun=maybe", "dryRun must be true or false, not 'maybe'.")]
    [InlineData("?account=999999999999", "999999999999 are not configured. Configured accounts: 111122223333, 444455556666, 555566667777, 777788889999")]
    public async Task Refresh_ShouldAnswer400WithAMessageAndRunNothing_WhenAParameterIsBad(string queryString, string message)
    {
        var (status, body) = await _app.RefreshAsync(queryString, Token);

        Assert.Equal(400, status);
        Assert.Contains(message, (string?)body["error"], StringComparison.Ordinal);
        Assert.Equal(0L, _app.Aws.Stats.TotalCalls);
        Assert.Empty(_app.Azure.DataCollector.Posts);
    }

    [GeneratedRegex(@"^\d{8}T\d{6}Z-[0-9a-f]{8}$")]
    private static partial Regex RunIdPattern();
}
