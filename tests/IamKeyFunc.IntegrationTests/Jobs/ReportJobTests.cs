using System.Text.Json;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;

namespace IamKeyFunc.IntegrationTests.Jobs;

/// <summary>The job end to end: emulator → federation → collector → a real sink (JSONL file or the fake Data Collector).</summary>
public sealed class ReportJobTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iamkeys-job-").FullName;

    [Fact]
    public async Task RunAsync_ShouldCollectEveryAccountAndFailOnlyTheDeniedOne_DeliveringEveryRowToTheFile()
    {
        // Arrange
        var scenario = EmulatedAws.Generate(accounts: 3, users: 25, denying: 1);
        await using var aws = await EmulatedAws.StartAsync(scenario);
        var path = Path.Combine(_directory, "report.jsonl");
        await using var sink = new JsonlFileSink(path);
        var progress = new List<string>();

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, Sink: sink, Progress: new Progress(s => progress.Add(s.AccountId))));

        // Assert
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status);
        var (central, member, denied) = (scenario.Accounts[0], scenario.Accounts[1], scenario.Accounts[2]);
        Assert.Equal([central.AccountId, member.AccountId, denied.AccountId], result.Accounts.Select(a => a.AccountId));
        Assert.Equal(["Succeeded", "Succeeded", "Failed"], result.Accounts.Select(a => a.Status));
        Assert.Equal("AccessDenied", result.Accounts[2].ErrorCode);
        Assert.Contains(denied.AccountId, result.Accounts[2].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(3, progress.Count);

        GroundTruth.AssertMatches([.. scenario.ExpectedKeys(central.AccountId), .. scenario.ExpectedKeys(member.AccountId)], result.Records, "live");
        Assert.All(result.Records, r => Assert.Equal(result.RunId, r.RunId));
        Assert.Equal(result.Records.Count, result.Accounts.Sum(a => a.KeysReported));
        Assert.Equal(aws.IamCalls(member.AccountId), result.Accounts[1].ApiCalls);
        Assert.Equal((result.Records.Count, result.Records.Count, 0), (result.KeyDelivery!.Records, result.KeyDelivery.Delivered, result.KeyDelivery.Failed));

        await sink.DisposeAsync();
        var lines = (await File.ReadAllLinesAsync(path)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(result.Records.Count, lines.Count(l => l.GetProperty("table").GetString() == "AwsAccessKeyReport"));
        var summaries = lines.Where(l => l.GetProperty("table").GetString() == "AwsAccessKeyRunSummary").ToList();
        Assert.Equal(["Succeeded", "Succeeded", "Failed"], summaries.Select(s => s.GetProperty("Status").GetString()));
        Assert.All(lines, l => Assert.Equal(result.RunId, l.GetProperty("RunId").GetString()));
    }

    [Fact]
    public async Task RunAsync_ShouldDeliverEveryRecordAndSummaryToTheWorkspace_WhenTheDataCollectorSinkIsConfigured()
    {
        // Arrange
        var scenario = EmulatedAws.Generate(accounts: 2, users: 20, seed: 21);
        await using var azure = await AzureFakes.StartAsync();
        await using var aws = await EmulatedAws.StartAsync(scenario, azure: azure);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer));

        // Assert
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var delivered = azure.DataCollector.Records("AwsAccessKeyReport");
        Assert.Equal(result.Records.Count, delivered.Count);
        Assert.Equal(
            result.Records.Select(r => $"{r.AccountId}|{r.UserName}|{r.KeySlot}|{r.Findings}").Order(StringComparer.Ordinal),
            delivered.Select(d => $"{d.GetProperty("AccountId").GetString()}|{d.GetProperty("UserName").GetString()}|{d.GetProperty("KeySlot").GetInt32()}|{d.GetProperty("Findings").GetString()}").Order(StringComparer.Ordinal));
        Assert.Equal(2, azure.DataCollector.Records("AwsAccessKeyRunSummary").Count);
        Assert.Equal((result.Records.Count, 0), (result.KeyDelivery!.Delivered, result.KeyDelivery.Failed));
        Assert.DoesNotContain(azure.Secrets, secret => aws.Logs.AllText.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ShouldRefuseASecondRunWithTheRunningRunId_WhileTheFirstIsInProgress()
    {
        // Arrange: IAM requests wait until released, so the first run stays in progress.
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 5));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        aws.Hook.OnRequest = (_, _) =>
        {
            blocked.TrySetResult();
            return release.Task;
        };
        var first = aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, DryRun: true));
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act
        var ex = await Assert.ThrowsAsync<RunInProgressException>(() => aws.Job.RunAsync(new RunRequest(RunTrigger.Http, DryRun: true)));

        // Assert
        release.SetResult();
        var firstResult = await first;
        Assert.Equal(firstResult.RunId, ex.RunningRunId);
        Assert.Equal(RunStatus.Succeeded, firstResult.Status);
        Assert.Null(aws.Job.RunningRunId);
    }

    [Fact]
    public async Task RunAsync_ShouldOnlyTouchTheRequestedAccount_AndSkipTheOthers()
    {
        // Arrange
        var scenario = EmulatedAws.Generate(accounts: 3, users: 10, seed: 8);
        await using var aws = await EmulatedAws.StartAsync(scenario);
        var wanted = scenario.Accounts[1].AccountId;

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Http, Accounts: [wanted], DryRun: true));

        // Assert
        Assert.Equal(["Skipped", "Succeeded", "Skipped"], result.Accounts.Select(a => a.Status));
        GroundTruth.AssertMatches(scenario.ExpectedKeys(wanted), result.Records, "live");
        Assert.Equal(0, aws.IamCalls(scenario.Accounts[0].AccountId));
        Assert.Equal(0, aws.IamCalls(scenario.Accounts[2].AccountId));
    }

    [Fact]
    public async Task RunAsync_ShouldReturnTheRecordsAndWriteNothing_WhenDryRun()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 10));
        var path = Path.Combine(_directory, "dry.jsonl");
        await using var sink = new JsonlFileSink(path);

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Http, DryRun: true, Sink: sink));

        // Assert
        GroundTruth.AssertMatches(aws.Scenario.ExpectedKeys(aws.Scenario.CentralAccount.AccountId), result.Records, "live");
        Assert.True(result.DryRun);
        Assert.Null(result.KeyDelivery);
        await sink.DisposeAsync();
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public async Task RunAsync_ShouldRejectAnAccountThatIsNotConfigured()
    {
        // Arrange
        await using var aws = await EmulatedAws.StartAsync(EmulatedAws.Generate(users: 2));

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Http, Accounts: ["123456789012"]));

        // Assert: the run fails naming the account, collects and sends nothing, and releases the lock.
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains(result.AccountErrors, e => e.Contains("123456789012", StringComparison.Ordinal));
        Assert.Empty(result.Accounts);
        Assert.Empty(result.Records);
        Assert.Equal(0, aws.Emulator.Stats.TotalCalls);
        Assert.Null(aws.Job.RunningRunId);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Progress(Action<Reporting.Records.RunSummary> report) : IProgress<Reporting.Records.RunSummary>
    {
        private readonly Lock _gate = new();

        public void Report(Reporting.Records.RunSummary value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
