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

        var lines = file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var keys = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyReport").ToList();
        var summaries = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary").ToList();
        Assert.Equal(reachable.Sum(a => sample.ExpectedKeys(a.AccountId).Count), keys.Count);
        Assert.Equal(sample.Accounts.Count(a => a.State == EmulatorOrganization.ActiveState), summaries.Count); // the suspended account is not listed
        Assert.All(summaries, s => Assert.Equal("cli", s.GetProperty("Trigger").GetString()));
    }

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
