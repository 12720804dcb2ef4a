using Azure.Storage.Blobs;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Storage;

namespace IamKeyFunc.IntegrationTests.History;

/// <summary>The two snapshot stores for real: a folder on disk, and blob storage in Azurite.</summary>
public sealed class SnapshotStoreTests(SnapshotStoreTests.AzuriteFixture azurite) : IDisposable, IClassFixture<SnapshotStoreTests.AzuriteFixture>
{
    private static readonly DateTimeOffset At = new(2026, 9, 1, 6, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("iamkeys-store-").FullName;

    [Fact]
    public async Task FolderStore_ShouldRoundTripAndRefuseStaleWrites()
    {
        await AssertStoreContractAsync(new FolderSnapshotStore(_directory));
        Assert.True(File.Exists(Path.Combine(_directory, "aws", "111122223333.json")));
        Assert.Empty(Directory.EnumerateFiles(_directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task FolderStore_ShouldTreatAFileThatIsNotASnapshotAsNoSnapshot()
    {
        // Arrange
        var store = new FolderSnapshotStore(_directory);
        Directory.CreateDirectory(Path.Combine(_directory, "aws"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "aws", "111122223333.json"), "{ not json");

        // Act + Assert
        Assert.Null(await store.ReadAsync("aws", "111122223333"));
    }

    [AzuriteFact]
    public async Task BlobStore_ShouldRoundTripAndRefuseStaleWrites_AgainstAzurite()
    {
        // Arrange
        var container = new BlobServiceClient(await azurite.ConnectionStringAsync()).GetBlobContainerClient("contract");

        // Act + Assert
        await AssertStoreContractAsync(new BlobSnapshotStore(container));
        var blob = container.GetBlobClient("aws/111122223333.json");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("application/json", properties.ContentType);
    }

    [Fact]
    public async Task BlobStore_ShouldThrowASafeStoreError_WhenStorageIsUnreachable()
    {
        // Arrange: a port nothing listens on
        var connectionString = Azurite.ConnectionStringFor(Azurite.FreePort());
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        var store = new BlobSnapshotStore(new BlobServiceClient(connectionString, options).GetBlobContainerClient("iamkey-history"));

        // Act + Assert
        var error = await Assert.ThrowsAsync<SnapshotStoreException>(() => store.ReadAsync("aws", "111122223333"));
        Assert.Contains("iamkey-history/aws/111122223333.json", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", error.Message, StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task RunAsync_ShouldKeepSnapshotsInTheHostStorage_AndReportChangesFromThem()
    {
        // Arrange: AzureWebJobsStorage pointing at Azurite, no state folder
        var connectionString = await azurite.ConnectionStringAsync();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["IamKey:History:Enabled"] = "true",
        };
        await using var aws = await EmulatedAws.StartAsync(ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow()), settings: settings);
        var sink = new Reporting.Delivery.JsonlFileSink(Path.Combine(_directory, "out.jsonl"));
        await using var _ = sink;

        // Act
        var baseline = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, Sink: sink));
        aws.Emulator.ChangeScenario(s => s.Account("444455556666").Users.Single(u => u.UserName == "alice").AccessKeys[0].Status = "Inactive");
        var second = await aws.Job.RunAsync(new RunRequest(RunTrigger.Timer, Sink: sink));

        // Assert
        Assert.Empty(baseline.Events);
        var deactivated = Assert.Single(second.Events);
        Assert.Equal(("alice", "KeyDeactivated", baseline.RunId), (deactivated.UserName, deactivated.EventType, deactivated.PreviousRunId));
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("iamkey-history");
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add($"{item.Name}:{item.Properties.ContentLength}");
        }

        Assert.Equal(["aws/111122223333.json", "aws/444455556666.json", "aws/555566667777.json"], names.Select(n => n.Split(':')[0]));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>One Azurite for the class, started by the first test that asks (none when every Azurite test is skipped).</summary>
    public sealed class AzuriteFixture : IAsyncLifetime
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private Azurite? _azurite;

        public async Task<string> ConnectionStringAsync()
        {
            await _gate.WaitAsync();
            try
            {
                _azurite ??= await Azurite.StartAsync();
                return _azurite.ConnectionString;
            }
            finally
            {
                _gate.Release();
            }
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            if (_azurite is not null)
            {
                await _azurite.DisposeAsync();
            }

            _gate.Dispose();
        }
    }

    private static async Task AssertStoreContractAsync(ISnapshotStore store)
    {
        // Nothing yet
        Assert.Null(await store.ReadAsync("aws", "111122223333"));

        // First write (expects none), read back
        var first = Snapshot("run-1", new SnapshotKey(new string('a', 64), "alice", "arn:aws:iam::111122223333:user/alice", 1, true, At.AddDays(-3), At.AddHours(-2)));
        Assert.True(await store.WriteAsync(first, expectedVersion: null));
        var read = await store.ReadAsync("aws", "111122223333");
        Assert.NotNull(read);
        Assert.Equal(first.RunId, read.Snapshot.RunId);
        Assert.Equal(first.Keys, read.Snapshot.Keys);
        Assert.NotNull(read.Version);

        // A second "first" write loses; a write at the version read wins; a write at the old version then loses
        Assert.False(await store.WriteAsync(Snapshot("run-x"), expectedVersion: null));
        var second = Snapshot("run-2");
        Assert.True(await store.WriteAsync(second, read.Version));
        Assert.False(await store.WriteAsync(Snapshot("run-y"), read.Version));
        Assert.Equal("run-2", (await store.ReadAsync("aws", "111122223333"))!.Snapshot.RunId);

        // Accounts are apart
        Assert.Null(await store.ReadAsync("aws-cn", "111122223333"));
        Assert.Null(await store.ReadAsync("aws", "444455556666"));
    }

    private static KeySnapshot Snapshot(string runId, params SnapshotKey[] keys) =>
        new(KeySnapshot.CurrentVersion, "aws", "111122223333", runId, At, keys);
}
