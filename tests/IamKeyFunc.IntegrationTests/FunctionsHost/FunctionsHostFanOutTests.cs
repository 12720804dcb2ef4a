using System.Globalization;
using System.Text.RegularExpressions;
using IamKeyFunc.AwsEmulator.Scenario;
using Xunit.Abstractions;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>
/// <c>IamKey:Run:Mode = FanOut</c> in the real Functions host with Azurite: the refresh queues one message per account,
/// the queue trigger collects them in concurrent invocations, and the last one writes the run-level record.
/// </summary>
public sealed partial class FunctionsHostFanOutTests(ITestOutputHelper output)
{
    private const int Accounts = 60;
    private const int DenyingAccounts = 2;
    private const int Attempts = 3; // host.json extensions.queues.maxDequeueCount and IamKey:Run:AccountAttempts
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(240);

    [HostFact]
    public async Task FanOutRefresh_With60Accounts_ShouldCollectEachOnceInConcurrentInvocationsWriteOneRunRecordAndRefuseASecondRun()
    {
        var scenario = ScenarioGenerator.Generate(
            new ScenarioGeneratorSettings { Accounts = Accounts, UsersPerAccount = 4, Seed = 12, DenyingMemberAccounts = DenyingAccounts },
            TimeProvider.System.GetUtcNow());
        await using var app = await HostedFunctionApp.StartAsync(
            settings =>
            {
                settings["IamKey__Run__Mode"] = "FanOut";
                settings["IamKey__Run__AccountAttempts"] = Attempts.ToString(CultureInfo.InvariantCulture);
                settings["IamKey__Collection__KeyIdFormat"] = "Full";
            },
            scenario: scenario);
        app.Aws.Options.Latency = TimeSpan.FromMilliseconds(30); // each account takes a few hundred ms, so invocations overlap
        var started = TimeProvider.System.GetTimestamp();

        var (status, body) = await app.RefreshAsync("");
        var (secondStatus, secondBody) = await app.RefreshAsync("");

        Assert.True(status == 202, $"{status} {body?.ToJsonString()}\n{app.Host.Tail(80)}");
        var runId = body!["runId"]!.GetValue<string>();
        Assert.Equal(Accounts, body["accountsQueued"]!.GetValue<int>());
        Assert.Equal(409, secondStatus);
        Assert.Equal(runId, secondBody!["runningRunId"]!.GetValue<string>());

        var completed = $"Fan-out run {runId} (http) completed";
        await app.Host.WaitForOutputAsync(o => o.Contains(completed, StringComparison.Ordinal), RunTimeout, "the fan-out run's completion");
        var wall = TimeProvider.System.GetElapsedTime(started);
        // The invocation that wrote the run record is logged as executed only after it returns.
        const int ExpectedInvocations = Accounts - DenyingAccounts + (DenyingAccounts * Attempts);
        await app.Host.WaitForOutputAsync(o => FunctionsHostTests.Count(o, "Executed 'Functions.CollectAccount'") >= ExpectedInvocations, RunTimeout, "the last invocation's end");
        var log = app.Host.Output;

        // One run-level record with the emulator's totals.
        Assert.Equal(1, FunctionsHostTests.Count(log, completed));
        var reachable = app.ReachableAccounts;
        var expectedKeys = reachable.SelectMany(a => scenario.ExpectedKeys(a.AccountId)).ToList();
        var totals = RunLine().Match(log[log.IndexOf(completed, StringComparison.Ordinal)..]);
        Assert.True(totals.Success, log);
        Assert.Equal("PartiallySucceeded", totals.Groups["status"].Value);
        Assert.Equal(Accounts, int.Parse(totals.Groups["accounts"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(DenyingAccounts, int.Parse(totals.Groups["failed"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(expectedKeys.Count, int.Parse(totals.Groups["keys"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(expectedKeys.Count, int.Parse(totals.Groups["delivered"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(0, int.Parse(totals.Groups["deliveryFailed"].Value, CultureInfo.InvariantCulture));
        var denied = scenario.Accounts.Select(a => a.AccountId).Except(reachable.Select(a => a.AccountId)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(DenyingAccounts, denied.Count);
        Assert.Equal(string.Join(',', denied), totals.Groups["failedIds"].Value);

        // Every account's summary exactly once, the denied ones Failed after their last attempt; the key rows are the ground truth.
        var summaries = app.Azure.DataCollector.Records("AwsAccessKeyRunSummary").Where(s => s.GetProperty("RunId").GetString() == runId).ToList();
        Assert.Equal(
            scenario.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal),
            summaries.Select(s => s.GetProperty("AccountId").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(denied, summaries.Where(s => s.GetProperty("Status").GetString() == "Failed").Select(s => s.GetProperty("AccountId").GetString()!).Order(StringComparer.Ordinal));
        FunctionsHostTests.AssertMatchesGroundTruth(expectedKeys, [.. app.Azure.DataCollector.Records("AwsAccessKeyReport").Where(r => r.GetProperty("RunId").GetString() == runId)]);

        // Every account once, plus the denied accounts' retries; several at a time.
        var invocations = FunctionsHostTests.Count(log, "Executed 'Functions.CollectAccount'");
        Assert.Equal(ExpectedInvocations, invocations);
        Assert.Equal(DenyingAccounts * (Attempts - 1), FunctionsHostTests.Count(log, "Executed 'Functions.CollectAccount' (Failed"));
        var concurrency = MaxInFlight(log);
        Assert.True(concurrency > 1, $"at most {concurrency} CollectAccount invocation at a time");
        output.WriteLine($"{Accounts} accounts, {expectedKeys.Count} keys, {invocations} invocations, at most {concurrency} at once, {wall.TotalSeconds:F1} s from refresh to the run record");
    }

    /// <summary>The most <c>CollectAccount</c> invocations between their <c>Executing</c> and <c>Executed</c> lines at once.</summary>
    private static int MaxInFlight(string log)
    {
        int inFlight = 0, max = 0;
        foreach (var line in log.Split('\n'))
        {
            if (line.Contains("Executing 'Functions.CollectAccount'", StringComparison.Ordinal))
            {
                max = Math.Max(max, ++inFlight);
            }
            else if (line.Contains("Executed 'Functions.CollectAccount'", StringComparison.Ordinal))
            {
                inFlight--;
            }
        }

        return max;
    }

    [GeneratedRegex(@"completed (?<status>\w+): (?<accounts>\d+) accounts, (?<failed>\d+) failed, (?<keys>\d+) keys, (?<delivered>\d+) delivered, (?<deliveryFailed>\d+) failed delivery, in [\d.]+ ms; failed accounts: \[(?<failedIds>[\d,]*)\]")]
    private static partial Regex RunLine();
}
