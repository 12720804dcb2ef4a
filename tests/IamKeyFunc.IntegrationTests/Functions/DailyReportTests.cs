using IamKeyFunc.Functions;
using IamKeyFunc.Reporting.Runs;

namespace IamKeyFunc.IntegrationTests.Functions;

/// <summary>The timer function end to end: managed identity → STS → IAM → Key Vault → Data Collector (all loopback).</summary>
public sealed class DailyReportTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private FunctionAppHarness _app = null!;

    public async Task InitializeAsync() => _app = await FunctionAppHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Timer_ShouldDeliverEveryReachableKeyAndOneSummaryPerAccountToTheWorkspace()
    {
        await _app.RunTimerAsync(_timeout.Token);

        var keys = _app.Azure.DataCollector.Records("AwsAccessKeyReport");
        var summaries = _app.Azure.DataCollector.Records("AwsAccessKeyRunSummary");
        var expectedKeys = _app.ReachableAccounts.Sum(a => _app.Aws.Scenario.ExpectedKeys(a.AccountId).Count);
        Assert.Equal(expectedKeys, keys.Count);
        Assert.Equal(_app.Aws.Scenario.Accounts.Count, summaries.Count);
        Assert.All(summaries, s => Assert.Equal("timer", s.GetProperty("Trigger").GetString()));
        Assert.Single(keys.Select(k => k.GetProperty("RunId").GetString()).Distinct());
        Assert.Equal(1, _app.Azure.KeyVault.SecretReads);
        Assert.All(_app.Azure.DataCollector.Posts, p => Assert.Equal(200, p.Status));
    }

    [Fact]
    public async Task Timer_ShouldDeliverTheChangesSinceTheLastRunToTheEventsTable()
    {
        // Arrange: the first timer run sets each account's baseline
        await _app.RunTimerAsync(_timeout.Token);
        Assert.Empty(_app.Azure.DataCollector.Records("AwsAccessKeyEvents"));
        _app.Aws.ChangeScenario(s => s.Account("444455556666").Users.Single(u => u.UserName == "terraform").AccessKeys[0].Status = "Inactive");

        // Act
        await _app.RunTimerAsync(_timeout.Token);

        // Assert
        var deactivated = Assert.Single(_app.Azure.DataCollector.Columns("AwsAccessKeyEvents"));
        Assert.Equal(("terraform", "KeyDeactivated", "Active", "Inactive"), (
            deactivated["UserName_s"].GetString(), deactivated["EventType_s"].GetString(),
            deactivated["StatusBefore_s"].GetString(), deactivated["StatusAfter_s"].GetString()));
        Assert.Equal(64, deactivated["AccessKeyIdHash_s"].GetString()!.Length); // a hash stays a string column (not _g)
        Assert.Equal(1, deactivated["KeySlot_d"].GetInt32());
        Assert.False(deactivated["RootKey_b"].GetBoolean());
        Assert.True(deactivated.ContainsKey("PreviousCollectedAt_t"));
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(_app.StateDirectory, "aws"), "*.json").Count());
    }

    [Fact]
    public async Task Timer_ShouldLogOneLinePerAccountWithItsOutcome_AndNoSecret()
    {
        await _app.RunTimerAsync(_timeout.Token);

        var jobLines = _app.Logs.Entries.Where(e => e.Category == typeof(ReportJob).FullName).ToList();
        foreach (var account in _app.Aws.Scenario.Accounts)
        {
            var line = Assert.Single(jobLines, e => e.Message.StartsWith($"Account {account.AccountId} ", StringComparison.Ordinal));
            Assert.Contains(_app.ReachableAccounts.Contains(account) ? "Succeeded" : "Failed", line.Message, StringComparison.Ordinal);
        }

        Assert.Contains(_app.Logs.Entries, e => e.Category == typeof(DailyReport).FullName && e.Message.Contains("finished PartiallySucceeded", StringComparison.Ordinal));
        Assert.DoesNotContain(_app.Azure.Secrets, secret => _app.Logs.AllText.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timer_ShouldFailTheInvocationSoTheHostRetries_WhenDeliveryFails()
    {
        _app.Azure.KeyVault.Forbidden = true;

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => _app.RunTimerAsync(_timeout.Token));

        Assert.Contains("failed", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_app.Azure.DataCollector.Records("AwsAccessKeyReport"));
        Assert.DoesNotContain(_app.Azure.Secrets, secret => exception.Message.Contains(secret, StringComparison.Ordinal));
    }
}
