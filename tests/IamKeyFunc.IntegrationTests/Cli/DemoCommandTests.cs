using System.Text.Json;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Tests.Cli;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary><c>iamkeys demo</c>: the README's first command, with no configuration and no cloud.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Demo_ShouldPrintTheSampleOrganizationsFindingsAndWriteEveryRecord()
    {
        var output = Path.Combine(_directory.Path, "demo.jsonl");
        var sample = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        var reachable = sample.Accounts.Where(a => a.AccountId != "777788889999").ToList(); // the legacy account denies the central role

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("demo", "--output", output);

        Assert.Equal(0, exitCode);
        Assert.Contains("Access keys with findings", stdout, StringComparison.Ordinal);
        Assert.Contains("(root key)", stdout, StringComparison.Ordinal);
        Assert.Contains("legacy-backup", stdout, StringComparison.Ordinal);
        Assert.Contains("RotationOverdue", stdout, StringComparison.Ordinal);
        Assert.Contains("NeverUsedPastGrace", stdout, StringComparison.Ordinal);
        Assert.True(stdout.Contains($"to {output}", StringComparison.Ordinal), stdout);
        Assert.Contains("failed  777788889999", stderr, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", stderr, StringComparison.Ordinal);

        // Key IDs are masked on screen and in the file.
        var fullKeyIds = sample.Accounts.SelectMany(a => a.Users).SelectMany(u => u.AccessKeys).Select(k => k.AccessKeyId).ToList();
        var file = await File.ReadAllTextAsync(output);
        Assert.All(fullKeyIds, id => Assert.DoesNotContain(id, stdout + stderr + file, StringComparison.Ordinal));

        // Two passes: the first sets the baseline, the second reports the changes made in between.
        var lines = file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var keys = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyReport").ToList();
        var summaries = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary").ToList();
        var runs = keys.Select(k => k.GetProperty("RunId").GetString()).Distinct().ToList();
        Assert.Equal(2, runs.Count);
        Assert.Equal(reachable.Sum(a => sample.ExpectedKeys(a.AccountId).Count), keys.Count(k => k.GetProperty("RunId").GetString() == runs[0]));
        Assert.Equal(2 * sample.Accounts.Count, summaries.Count);
        Assert.All(summaries, s => Assert.Equal("cli", s.GetProperty("Trigger").GetString()));

        // The accounts are discovered in the sample organization: the suspended one is skipped with its reason.
        Assert.Contains("Coverage: 5 accounts discovered in AWS Organizations, 3 collected, 1 failed, 1 skipped.", stdout, StringComparison.Ordinal);
        Assert.All(summaries, s => Assert.Equal("Organizations", s.GetProperty("DiscoverySource").GetString()));
        Assert.Equal(
            ["Skipped:AccountNotActive", "Skipped:AccountNotActive"],
            summaries.Where(s => s.GetProperty("AccountId").GetString() == "888899990000").Select(s => $"{s.GetProperty("Status").GetString()}:{s.GetProperty("ErrorCode").GetString()}"));
        Assert.All(keys.Where(k => k.GetProperty("AccountId").GetString() == "444455556666"), k => Assert.Equal(
            ("Production", "Root/Workloads/Prod"), (k.GetProperty("AccountName").GetString(), k.GetProperty("OrganizationalUnitPath").GetString())));
        Assert.Equal(
            ["alice:KeyCreated", "dev-test:RotationStuck", "legacy-backup:KeyDeleted", "terraform:KeyDeactivated"],
            Events(lines).Select(e => $"{e.GetProperty("UserName").GetString()}:{e.GetProperty("EventType").GetString()}").Order(StringComparer.Ordinal));
        Assert.All(Events(lines), e => Assert.Equal((runs[1], runs[0]), (e.GetProperty("RunId").GetString(), e.GetProperty("PreviousRunId").GetString())));
        Assert.Contains("Changes since the previous run (4)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_ShouldApplyTwoPoliciesAndAnExemption_AndReportTheExemptionUnmatchedOnceItsKeyIsDeleted()
    {
        var output = Path.Combine(_directory.Path, "demo.jsonl");

        var (exitCode, stdout, _) = await CliRunner.RunAsync("demo", "--output", output);

        Assert.Equal(0, exitCode);
        Assert.Contains("Key policies (first match wins)", stdout, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(stdout, @"│ prod-cis │ \d+ +│ \d+ +│ \d+ +│ \d+ +│").Count); // a policy table after each pass, neither empty
        Assert.Contains("exempt until", stdout, StringComparison.Ordinal);
        Assert.Contains("Exemptions that matched no key in example-prod: CHG-1234", stdout, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var keys = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyReport").ToList();
        var firstRun = keys[0].GetProperty("RunId").GetString();
        Assert.Equal(
            ["<root_account>:prod-cis", "alice:prod-cis", "ci-deploy:ci", "ci-deploy:ci", "dev-test:Default", "dev-test:Default", "legacy-backup:prod-cis", "monitoring-agent:prod-cis", "security-audit:Default", "terraform:prod-cis"],
            keys.Where(k => k.GetProperty("RunId").GetString() == firstRun).Select(k => $"{k.GetProperty("UserName").GetString()}:{k.GetProperty("PolicyName").GetString()}").Order(StringComparer.Ordinal));
        var exempt = Assert.Single(keys, k => k.GetProperty("Exempt").GetBoolean());
        Assert.Equal(("legacy-backup", "CHG-1234", firstRun), (exempt.GetProperty("UserName").GetString(), exempt.GetProperty("ExemptReference").GetString(), exempt.GetProperty("RunId").GetString()));
        var summaries = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary" && l.GetProperty("AccountId").GetString() == "444455556666").ToList();
        Assert.Equal(
            [(1, false), (0, true)],
            summaries.Select(s => (s.GetProperty("ExemptKeys").GetInt32(), s.TryGetProperty("UnmatchedExemptions", out var u) && u.GetString() == "CHG-1234")));
    }

    [Fact]
    public async Task Demo_ShouldCompareWithTheLastSnapshots_WhenRunAgainWithTheSameStateDir()
    {
        // Arrange: the first demo leaves the changed organization's snapshots behind
        var state = Path.Combine(_directory.Path, "state");
        var output = Path.Combine(_directory.Path, "demo.jsonl");
        await CliRunner.RunAsync("demo", "--output", output, "--state-dir", state);

        // Act: the second demo starts from the unchanged organization again
        var (exitCode, _, _) = await CliRunner.RunAsync("demo", "--output", output, "--state-dir", state);

        // Assert: its first pass sees the changes undone; its second pass the same changes as before
        Assert.Equal(0, exitCode);
        var lines = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // The sample's dates move with the clock, and a root key (whose ID a role cannot see) is known by its slot and
        // creation time, so between two demos the root key looks replaced; the user keys are known by their hashed IDs.
        var byRun = Events(lines).Where(e => !e.GetProperty("RootKey").GetBoolean()).GroupBy(e => e.GetProperty("RunId").GetString()).Select(g => g.Select(e => $"{e.GetProperty("UserName").GetString()}:{e.GetProperty("EventType").GetString()}").Order(StringComparer.Ordinal).ToList()).ToList();
        Assert.Equal(2, byRun.Count);
        Assert.Equal(["alice:KeyDeleted", "legacy-backup:KeyCreated", "terraform:KeyActivated"], byRun[0]);
        Assert.Equal(["alice:KeyCreated", "dev-test:RotationStuck", "legacy-backup:KeyDeleted", "terraform:KeyDeactivated"], byRun[1]);
        Assert.Equal(["111122223333.json", "444455556666.json", "555566667777.json"], Directory.EnumerateFiles(Path.Combine(state, "aws")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<JsonElement> Events(IEnumerable<JsonElement> lines) =>
        lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyEvents");

    [Fact]
    public async Task Demo_ShouldReplaceAnEarlierOutputFile()
    {
        var output = Path.Combine(_directory.Path, "demo.jsonl");
        await CliRunner.RunAsync("demo", "--output", output);
        var first = (await File.ReadAllLinesAsync(output)).Length;

        var (exitCode, _, _) = await CliRunner.RunAsync("demo", "--output", output);

        Assert.Equal(0, exitCode);
        Assert.Equal(first, (await File.ReadAllLinesAsync(output)).Length);
    }
}
