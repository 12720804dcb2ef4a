using System.Text;
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


    /// <summary>Unusable contents of a snapshot of aws/111122223333, and a part of what the set-aside message says.</summary>
    public static TheoryData<string, string> UnusableSnapshots()
    {
        var good = Encoding.UTF8.GetString(SnapshotFormat.Serialize(Snapshot(ValidRunId, Key("alice"), Key("bob", 'b'))));
        return new()
        {
            { "{ not json", "invalid JSON at line 1" },
            { good[..(good.Length / 2)], "invalid JSON" },
            { "null", "JSON null" },
            { "", "it is empty" },
            { "[1,2,3]", "invalid JSON" },
            { good.Replace("\"Version\":1", "\"Version\":7", StringComparison.Ordinal), "format version 7" },
            { good.Replace("111122223333\",\"RunId", "444455556666\",\"RunId", StringComparison.Ordinal), "the snapshot of 'aws'/'444455556666', not of aws/111122223333" },
            { good.Replace("\"Partition\":\"aws\"", "\"Partition\":\"aws-cn\"", StringComparison.Ordinal), "the snapshot of 'aws-cn'" },
            { good.Replace(new string('b', 64), new string('a', 64), StringComparison.Ordinal), "key 2 ('bob', slot 1) is listed twice" },
            { good.Replace(new string('b', 64), "AKIAIOSFODNN7EXAMPLE", StringComparison.Ordinal), "its ID 'AKIAIOSFODNN7EXAMPLE' is not a key ID's SHA-256" },
            { good.Replace(":user/bob", ":user/bob\\u001b[2J", StringComparison.Ordinal), "user ARN" },
            { good.Replace("arn:aws:iam::111122223333:user/bob", "arn:aws:iam::999999999999:user/bob", StringComparison.Ordinal), "is not an ARN of this account" },
            { good.Replace("\"Slot\":1", "\"Slot\":9", StringComparison.Ordinal), "slot 9 is not 1 or 2" },
            { good.Replace("\"Keys\":[", "\"Keys\":[null,", StringComparison.Ordinal), "key 1: it is null" },
            { good.Replace(ValidRunId, "../../x", StringComparison.Ordinal), "run ID '../../x'" },
            { good.Replace("2026-09-01T06:00:00.000Z\",\"Keys", "next tuesday\",\"Keys", StringComparison.Ordinal), "not a readable snapshot" },
        };
    }

    [Theory]
    [MemberData(nameof(UnusableSnapshots))]
    public async Task FolderStore_ShouldSetAsideAFileThatIsNotAUsableSnapshot_KeepingItsBytes(string content, string problem)
    {
        // Arrange
        var store = new FolderSnapshotStore(_directory);
        var path = Path.Combine(_directory, "aws", "111122223333.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content);

        // Act
        var read = await store.ReadAsync("aws", "111122223333");

        // Assert: moved beside itself, bytes intact, and the account starts again with a first write
        Assert.Null(read.Stored);
        Assert.Null(read.Version);
        var aside = Assert.IsType<SetAsideSnapshot>(read.SetAside);
        Assert.Contains(problem, aside.Problem, StringComparison.Ordinal);
        Assert.Equal(path, aside.Name);
        Assert.False(File.Exists(path));
        var moved = Assert.Single(Directory.EnumerateFiles(Path.Combine(_directory, "aws")));
        Assert.Equal(moved, aside.MovedTo);
        Assert.StartsWith(path + ".unreadable-", moved, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(moved));
        Assert.True(await store.WriteAsync(Snapshot(ValidRunId, Key("alice")), read.Version));
        Assert.Equal(ValidRunId, (await store.ReadAsync("aws", "111122223333")).Stored!.Snapshot.RunId);
    }

    [Fact]
    public async Task FolderStore_ShouldSetAsideAFileOverTheSizeBound_WithoutReadingIt()
    {
        var store = new FolderSnapshotStore(_directory);
        var path = Path.Combine(_directory, "aws", "111122223333.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = File.Create(path))
        {
            file.SetLength(SnapshotFormat.MaxBytes + 1L);
        }

        var read = await store.ReadAsync("aws", "111122223333");

        Assert.Contains("over the 16777216 bytes a snapshot may have", read.SetAside?.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Equal(SnapshotFormat.MaxBytes + 1L, new FileInfo(read.SetAside!.MovedTo!).Length);
    }

    [Fact]
    public async Task FolderStore_ShouldReportTheProblemAndLetTheNextWriteReplaceIt_WhenTheFileCannotBeMoved()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            return; // a read-only folder does not stop root
        }

        var store = new FolderSnapshotStore(_directory);
        var folder = Path.Combine(_directory, "aws");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "111122223333.json"), "{ not json");
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var read = await store.ReadAsync("aws", "111122223333");

            Assert.Null(read.SetAside?.MovedTo);
            Assert.NotNull(read.SetAside?.MoveError);
            Assert.NotNull(read.Version);
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task FolderStore_ShouldSetAsideALinkOrAPipe_WithoutReadingIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no mkfifo; CI runs on Linux
        }

        var store = new FolderSnapshotStore(_directory);
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "aws")).FullName;
        File.CreateSymbolicLink(Path.Combine(folder, "111122223333.json"), "/dev/zero");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(folder, "444455556666.json")))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var link = await store.ReadAsync("aws", "111122223333").WaitAsync(TimeSpan.FromSeconds(30));
        var pipe = await store.ReadAsync("aws", "444455556666").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("it is a link, not a file", link.SetAside?.Problem);
        Assert.Equal("it is empty", pipe.SetAside?.Problem);
        Assert.Equal(2, Directory.EnumerateFileSystemEntries(folder, "*.unreadable-*").Count());
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder, "*.json"));
    }

    [Fact]
    public async Task FolderStore_ShouldNotFollowAPartitionFolderThatLinksOutOfTheStateFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var state = Directory.CreateDirectory(Path.Combine(_directory, "state")).FullName;
        var elsewhere = Directory.CreateDirectory(Path.Combine(_directory, "elsewhere")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(state, "aws"), elsewhere);
        var store = new FolderSnapshotStore(state);

        var read = await Assert.ThrowsAsync<SnapshotStoreException>(() => store.ReadAsync("aws", "111122223333"));
        await Assert.ThrowsAsync<SnapshotStoreException>(() => store.WriteAsync(Snapshot(ValidRunId, Key("alice")), null));

        Assert.Contains("is a link to", read.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    /// <summary>Partitions and account IDs no snapshot name may be built from.</summary>
    public static TheoryData<string, string> InvalidNames() => new()
    {
        { "aws", "../../x" },
        { "aws", "../../../../../../tmp/x" },
        { "aws", "..\\..\\x" },
        { "aws", "/etc/passwd" },
        { "aws", "11112222333/" },
        { "aws", "1111222233334" },
        { "aws", "12345" },
        { "aws", "" },
        { "aws", "111122223333\n" },
        { "aws", "\u0661\u0661\u0661\u0661\u0662\u0662\u0662\u0662\u0663\u0663\u0663\u0663" },
        { "aws", "999999999999:role/Admin" },
        { "../../x", "111122223333" },
        { "aws/../..", "111122223333" },
        { "", "111122223333" },
        { "AWS", "111122223333" },
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task FolderStore_ShouldNeverTouchAPathOutsideTheStateFolder_WhenThePartitionOrAccountIdIsInvalid(string partition, string accountId)
    {
        // Arrange: the state folder three levels down in an empty sandbox, so an escape would land inside the sandbox
        var state = Path.Combine(_directory, "a", "b", "state");
        var store = new FolderSnapshotStore(state);
        var snapshot = new KeySnapshot(KeySnapshot.CurrentVersion, partition, accountId, ValidRunId, At, []);

        // Act
        var read = await Assert.ThrowsAsync<SnapshotStoreException>(() => store.ReadAsync(partition, accountId));
        var write = await Assert.ThrowsAsync<SnapshotStoreException>(() => store.WriteAsync(snapshot, null));

        // Assert
        Assert.StartsWith("No snapshot name is built from", read.Message, StringComparison.Ordinal);
        Assert.StartsWith("No snapshot name is built from", write.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", read.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories));
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

    [AzuriteFact]
    public async Task BlobStore_ShouldCopyAsideAndDeleteABlobThatIsNotAUsableSnapshot_AgainstAzurite()
    {
        // Arrange: the duplicate-key snapshot that once broke every later run
        var container = new BlobServiceClient(await azurite.ConnectionStringAsync()).GetBlobContainerClient("aside-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        var content = SnapshotFormat.Serialize(Snapshot(ValidRunId, Key("alice"), Key("bob")));
        await container.GetBlobClient("aws/111122223333.json").UploadAsync(new BinaryData(content));
        var store = new BlobSnapshotStore(container);

        // Act
        var read = await store.ReadAsync("aws", "111122223333");

        // Assert
        Assert.Null(read.Stored);
        Assert.Null(read.Version);
        Assert.Contains("key 2 ('bob', slot 1) is listed twice", read.SetAside?.Problem, StringComparison.Ordinal);
        Assert.Equal($"{container.Name}/aws/111122223333.json", read.SetAside!.Name);
        var names = await BlobNamesAsync(container);
        var aside = Assert.Single(names);
        Assert.Equal($"{container.Name}/{aside}", read.SetAside.MovedTo);
        Assert.StartsWith("aws/111122223333.json.unreadable-", aside, StringComparison.Ordinal);
        Assert.Equal(content, (await container.GetBlobClient(aside).DownloadContentAsync()).Value.Content.ToArray());
        Assert.True(await store.WriteAsync(Snapshot(ValidRunId, Key("alice")), read.Version));
        Assert.NotNull((await store.ReadAsync("aws", "111122223333")).Stored);
    }

    [AzuriteFact]
    public async Task BlobStore_ShouldCopyAsideABlobOverTheSizeBound_InTheService_AgainstAzurite()
    {
        var container = new BlobServiceClient(await azurite.ConnectionStringAsync()).GetBlobContainerClient("large-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync();
        await container.GetBlobClient("aws/111122223333.json").UploadAsync(new BinaryData(new byte[SnapshotFormat.MaxBytes + 1]));
        var store = new BlobSnapshotStore(container);

        var read = await store.ReadAsync("aws", "111122223333");

        Assert.Contains("over the 16777216 bytes", read.SetAside?.Problem, StringComparison.Ordinal);
        Assert.Null(read.SetAside!.MoveError);
        var aside = Assert.Single(await BlobNamesAsync(container));
        Assert.Equal(SnapshotFormat.MaxBytes + 1L, (await container.GetBlobClient(aside).GetPropertiesAsync()).Value.ContentLength);
    }

    [AzuriteFact]
    public async Task BlobStore_ShouldNeverBuildABlobName_FromAnInvalidPartitionOrAccountId_AgainstAzurite()
    {
        var container = new BlobServiceClient(await azurite.ConnectionStringAsync()).GetBlobContainerClient("names-" + Guid.NewGuid().ToString("N")[..8]);
        var store = new BlobSnapshotStore(container);

        foreach (var (partition, accountId) in InvalidNames().Select(row => ((string)row[0], (string)row[1])))
        {
            var snapshot = new KeySnapshot(KeySnapshot.CurrentVersion, partition, accountId, ValidRunId, At, []);
            Assert.StartsWith("No snapshot name is built from", (await Assert.ThrowsAsync<SnapshotStoreException>(() => store.ReadAsync(partition, accountId))).Message, StringComparison.Ordinal);
            Assert.StartsWith("No snapshot name is built from", (await Assert.ThrowsAsync<SnapshotStoreException>(() => store.WriteAsync(snapshot, null))).Message, StringComparison.Ordinal);
        }

        Assert.False((await container.ExistsAsync()).Value); // not even the container was created
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
        Assert.Equal(SnapshotRead.None, await store.ReadAsync("aws", "111122223333"));

        // First write (expects none), read back
        var first = Snapshot("run-1", Key("alice"));
        Assert.True(await store.WriteAsync(first, expectedVersion: null));
        var read = (await store.ReadAsync("aws", "111122223333")).Stored;
        Assert.NotNull(read);
        Assert.Equal(first.RunId, read.Snapshot.RunId);
        Assert.Equal(first.Keys, read.Snapshot.Keys);
        Assert.NotNull(read.Version);

        // A second "first" write loses; a write at the version read wins; a write at the old version then loses
        Assert.False(await store.WriteAsync(Snapshot("run-x"), expectedVersion: null));
        var second = Snapshot("run-2");
        Assert.True(await store.WriteAsync(second, read.Version));
        Assert.False(await store.WriteAsync(Snapshot("run-y"), read.Version));
        Assert.Equal("run-2", (await store.ReadAsync("aws", "111122223333")).Stored!.Snapshot.RunId);

        // Accounts are apart
        Assert.Equal(SnapshotRead.None, await store.ReadAsync("aws-cn", "111122223333"));
        Assert.Equal(SnapshotRead.None, await store.ReadAsync("aws", "444455556666"));
    }

    private const string ValidRunId = "20260901T060000Z-0123abcd";

    private static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        return names;
    }

    private static SnapshotKey Key(string user, char hash = 'a', int slot = 1) =>
        new(new string(hash, 64), user, $"arn:aws:iam::111122223333:user/{user}", slot, true, At.AddDays(-3), At.AddHours(-2));

    private static KeySnapshot Snapshot(string runId, params SnapshotKey[] keys) =>
        new(KeySnapshot.CurrentVersion, "aws", "111122223333", runId, At, keys);
}
