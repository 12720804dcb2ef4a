using IamKeyFunc.Cli.Rendering;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Tests.Delivery;
using Spectre.Console;

namespace IamKeyFunc.Tests.Cli;

/// <summary>What <c>collect</c> and <c>demo</c> print after a run: the closing line and the findings table.</summary>
public sealed class RunReportTests
{
    [Fact]
    public void Outcome_ShouldCountEveryTable_AndNameTheOneThatFailed()
    {
        var result = Result(
            keys: new DeliveryResult(30, 30, 0, 1, 0, 1000, 0, null),
            events: new DeliveryResult(4, 0, 4, 1, 1, 0, 3, "Http503: the workspace is unavailable"),
            summaries: new DeliveryResult(3, 3, 0, 1, 0, 500, 0, null),
            status: RunStatus.Failed);

        var lines = Render(console => RunReport.WriteOutcome(console, result));

        Assert.Equal(2, lines.Length);
        Assert.EndsWith("Failed in 2.5 s: 3 accounts (0 failed); 30 key records (30 delivered), 4 change events (0 delivered, 4 failed), 3 run summaries (3 delivered).", lines[0], StringComparison.Ordinal);
        Assert.Equal("Not delivered: change events: Http503: the workspace is unavailable", lines[1]);
    }

    [Fact]
    public void Outcome_ShouldNameSeveralFailedTablesOnce_WhenTheyFailedForTheSameReason()
    {
        const string error = "Key Vault https://kv.example/ is unreachable";
        var result = Result(
            keys: new DeliveryResult(1, 0, 1, 1, 1, 0, 3, error),
            events: DeliveryResult.Empty,
            summaries: new DeliveryResult(1, 0, 1, 1, 1, 0, 3, error),
            status: RunStatus.Failed);

        var lines = Render(console => RunReport.WriteOutcome(console, result));

        Assert.Contains("; 1 key record (0 delivered, 1 failed), 0 change events, 1 run summary (0 delivered, 1 failed).", lines[0], StringComparison.Ordinal);
        Assert.Equal($"Not delivered: key records and run summaries: {error}", Assert.Single(lines[1..]));
    }

    [Fact]
    public void Outcome_ShouldSayWhatTheRecoveryPassDelivered_PerTableAndInBatches()
    {
        var result = Result(
            keys: new DeliveryResult(30, 30, 0, 3, 0, 1000, 2, null) { Recovered = 12, RecoveredBatches = 2 },
            events: DeliveryResult.Empty,
            summaries: new DeliveryResult(3, 3, 0, 1, 0, 500, 0, null));

        var line = Assert.Single(Render(console => RunReport.WriteOutcome(console, result)));

        Assert.EndsWith("; 30 key records (30 delivered, 12 of them by the recovery pass), 0 change events, 3 run summaries (3 delivered); 2 failed batches recovered.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "; dry run, nothing delivered.")]
    [InlineData(false, "; nothing delivered (IamKey:Delivery:Sink is None).")]
    public void Outcome_ShouldSayNothingWasDelivered_OnADryRunOrWithoutASink(bool dryRun, string ending)
    {
        var result = Result(null, null, null) with { DryRun = dryRun };

        var line = Assert.Single(Render(console => RunReport.WriteOutcome(console, result)));

        Assert.EndsWith($"3 accounts (0 failed); 0 key records, 0 change events, 3 run summaries{ending}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_ShouldListTheRiskiestFirst_UpToTheLimit_WithTheLegend()
    {
        var keys = SampleRecords.Keys(40).Select((k, i) => k with { RiskScore = (i * 37) % 100, Findings = "RotationOverdue", Severity = "High" }).ToList();
        var digest = new FindingsDigest(3);
        digest.Add(keys.Take(20));
        digest.Add(keys.Skip(20));

        var lines = Render(console => RunReport.WriteFindings(console, digest));

        Assert.Contains("Access keys with findings (the 3 riskiest of 40 with findings, of 40)", lines[0], StringComparison.Ordinal);
        var risks = lines.Where(l => l.StartsWith("│ ", StringComparison.Ordinal) && !l.Contains("Risk", StringComparison.Ordinal)).Select(l => int.Parse(l.Split('│')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(keys.Select(k => k.RiskScore).OrderDescending().Take(3), risks);
        Assert.Contains(lines, l => l.StartsWith("Breach (d): ", StringComparison.Ordinal) && l.Contains("negative once crossed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Severity: ", StringComparison.Ordinal));
        Assert.Equal("Keys: 6 to rotate, 0 unused, 0 never used, 0 root, 0 held by users with two active keys, 0 due soon, 0 exempt.", lines[^1]);
    }

    [Fact]
    public void Findings_ShouldPrintOnlyTheTally_WhenTheLimitIsZero()
    {
        var digest = FindingsDigest.Of(SampleRecords.Keys(10), limit: 0);

        var line = Assert.Single(Render(console => RunReport.WriteFindings(console, digest)));

        Assert.StartsWith("Keys: 2 to rotate", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_ShouldUseSingularNouns_AndTheOrganizationsName_OfASkippedAccount()
    {
        var summaries = SampleRecords.Summaries(3);
        var one = summaries[1] with { UsersScanned = 1, KeysReported = 1, FindingsCount = 1, ApiCalls = 1 };
        var skipped = summaries[2] with { Status = "Skipped", AccountAlias = null, AccountName = "Retired", ErrorCode = "AccountNotActive" };
        var unnamed = summaries[0] with { AccountAlias = null, AccountName = null };

        var lines = Render(console =>
        {
            var progress = new AccountProgress(console);
            progress.Report(one);
            progress.Report(skipped);
            progress.Report(unnamed);
        });

        Assert.Contains(" 1 user, 1 key, 1 finding, 1 call, ", lines[0], StringComparison.Ordinal);
        Assert.Equal($"skipped {skipped.AccountId} (Retired)  AccountNotActive", lines[1]);
        Assert.StartsWith($"failed  {unnamed.AccountId}  AccessDenied: ", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("no alias", StringComparison.Ordinal));
    }

    private static RunResult Result(DeliveryResult? keys, DeliveryResult? events, DeliveryResult? summaries, RunStatus status = RunStatus.Succeeded) => new()
    {
        RunId = SampleRecords.RunId,
        Trigger = RunTrigger.Cli,
        StartedAt = SampleRecords.CollectedAt,
        Duration = TimeSpan.FromSeconds(2.5),
        Status = status,
        DryRun = false,
        Accounts = [.. SampleRecords.Summaries(3).Select(s => s with { Status = "Succeeded", KeysReported = 0 })],
        Records = [],
        KeyDelivery = keys,
        EventDelivery = events,
        SummaryDelivery = summaries,
    };

    private static string[] Render(Action<IAnsiConsole> write)
    {
        using var writer = new StringWriter();
        write(CliConsole.Over(writer));
        return CliProcess.Lines(writer.ToString());
    }
}
