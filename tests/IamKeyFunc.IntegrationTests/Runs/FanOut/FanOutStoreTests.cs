using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IamKeyFunc.IntegrationTests.History;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Reporting.Runs.FanOut;

namespace IamKeyFunc.IntegrationTests.Runs.FanOut;

/// <summary>The fan-out run's lock and state in blob storage, against Azurite.</summary>
public sealed class FanOutStoreTests(SnapshotStoreTests.AzuriteFixture azurite) : IClassFixture<SnapshotStoreTests.AzuriteFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxRunTime = TimeSpan.FromHours(2);

    [AzuriteFact]
    public async Task Lock_WhileHeld_ShouldRefuseAnotherRunNamingTheHolder_AndBeFreeAfterRelease()
    {
        var store = await StoreAsync();
        var lease = await store.AcquireLockAsync("run-a", Now, MaxRunTime, default);

        var refused = await Assert.ThrowsAsync<RunInProgressException>(() => store.AcquireLockAsync("run-b", Now.AddMinutes(5), MaxRunTime, default));
        await store.ReleaseLockAsync(lease, default);
        var next = await store.AcquireLockAsync("run-c", Now.AddMinutes(6), MaxRunTime, default);

        Assert.Equal("run-a", refused.RunningRunId);
        Assert.NotEqual(lease, next);
        Assert.Equal("run-c", (await Assert.ThrowsAsync<RunInProgressException>(() => store.AcquireLockAsync("run-d", Now.AddMinutes(7), MaxRunTime, default))).RunningRunId);
    }

    [AzuriteFact]
    public async Task Lock_OlderThanMaxRunTime_ShouldBeBrokenByTheNextStart_AndTheDeadRunsReleaseShouldNotFreeIt()
    {
        var store = await StoreAsync();
        var dead = await store.AcquireLockAsync("run-dead", Now, MaxRunTime, default);

        var taken = await store.AcquireLockAsync("run-next", Now + MaxRunTime + TimeSpan.FromSeconds(1), MaxRunTime, default);
        await store.ReleaseLockAsync(dead, default);

        Assert.NotEqual(dead, taken);
        Assert.Equal("run-next", (await Assert.ThrowsAsync<RunInProgressException>(() => store.AcquireLockAsync("run-late", Now + MaxRunTime + TimeSpan.FromMinutes(1), MaxRunTime, default))).RunningRunId);
    }

    [AzuriteFact]
    public async Task Outcomes_ShouldBeRecordedOnce_AndTheRunCompletedOnce()
    {
        var store = await StoreAsync();
        await store.AcquireLockAsync("run-1", Now, MaxRunTime, default);
        var run = new FanOutRun("run-1", RunTrigger.Http, Now, ["111111111111", "222222222222"], "lease");
        await store.WriteRunAsync(run, default);

        var first = await store.TryRecordOutcomeAsync("run-1", new AccountOutcomeRecord("111111111111", "Succeeded", null, 3, 3, 0, 1), default);
        var retry = await store.TryRecordOutcomeAsync("run-1", new AccountOutcomeRecord("111111111111", "Succeeded", null, 3, 3, 0, 2), default);
        await store.TryRecordOutcomeAsync("run-1", new AccountOutcomeRecord("222222222222", "Failed", "AccessDenied", 0, 0, 0, 3), default);
        var outcomes = await store.ReadOutcomesAsync("run-1", default);
        var totals = FanOutRunTotals.TryComplete(await store.ReadRunAsync("run-1", default), outcomes, Now.AddMinutes(1))!;

        Assert.True(first);
        Assert.False(retry);
        Assert.Equal(2, await store.CountOutcomesAsync("run-1", default));
        Assert.Equal(1, Assert.Single(outcomes, o => o.AccountId == "111111111111").Attempt);
        Assert.True(await store.TryCompleteAsync(totals, default));
        Assert.False(await store.TryCompleteAsync(totals, default));
    }

    /// <summary>A store on its own container; the queue is never reached by these tests (Azurite here serves blobs only).</summary>
    private async Task<FanOutStore> StoreAsync()
    {
        var connectionString = await azurite.ConnectionStringAsync();
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient($"runs-{Guid.NewGuid():N}");
        return new FanOutStore(container, new QueueClient(new Uri("http://127.0.0.1:9/devstoreaccount1/unused"), new QueueClientOptions()));
    }
}
