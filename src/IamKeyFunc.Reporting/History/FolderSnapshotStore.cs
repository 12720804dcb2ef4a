using System.Globalization;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// Snapshots as files in a local folder, <c>{folder}/{partition}/{accountId}.json</c>: the state of <c>iamkeys</c>.
/// A write goes to a temporary file first and is then moved over the old one, so a crash never leaves half a
/// snapshot. The version is the file's last write time: a conditional write refuses if another process wrote since.
/// </summary>
public sealed class FolderSnapshotStore(string folder) : ISnapshotStore
{
    private readonly string _folder = Path.GetFullPath(folder);

    public string Name => "Folder";

    public string Folder => _folder;

    public async Task<StoredSnapshot?> ReadAsync(string partition, string accountId, CancellationToken cancellationToken = default)
    {
        var path = PathOf(partition, accountId);
        try
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return SnapshotFormat.Deserialize(bytes) is { } snapshot ? new StoredSnapshot(snapshot, VersionOf(path)) : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotStoreException($"Snapshot file {path} could not be read: {ex.Message}", ex);
        }
    }

    public async Task<bool> WriteAsync(KeySnapshot snapshot, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var path = PathOf(snapshot.Partition, snapshot.AccountId);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (VersionOf(path) != expectedVersion)
            {
                return false;
            }

            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(temporary, SnapshotFormat.Serialize(snapshot), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotStoreException($"Snapshot file {path} could not be written: {ex.Message}", ex);
        }
    }

    private string PathOf(string partition, string accountId) => Path.Combine(_folder, SnapshotFormat.Name(partition, accountId));

    private static string? VersionOf(string path) => File.Exists(path)
        ? File.GetLastWriteTimeUtc(path).Ticks.ToString(CultureInfo.InvariantCulture)
        : null;
}
