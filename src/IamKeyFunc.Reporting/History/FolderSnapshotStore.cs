using System.Globalization;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// Snapshots as files in a local folder, <c>{folder}/{partition}/{accountId}.json</c>: the state of <c>iamkeys</c>.
/// A write goes to a temporary file first and is then moved over the old one, so a crash never leaves half a
/// snapshot. The version is the file's last write time: a conditional write refuses if another process wrote since.
/// A file that is not a usable snapshot is renamed to <c>{accountId}.json.unreadable-{time}-{random}</c> beside it.
/// Paths are built only from names <see cref="SnapshotFormat.Name"/> validated, and checked to stay inside the folder.
/// </summary>
public sealed class FolderSnapshotStore(string folder, TimeProvider? timeProvider = null) : ISnapshotStore
{
    private readonly string _folder = Path.GetFullPath(folder);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Name => "Folder";

    public string Folder => _folder;

    public async Task<SnapshotRead> ReadAsync(string partition, string accountId, CancellationToken cancellationToken = default)
    {
        var name = SnapshotFormat.Name(partition, accountId);
        var path = PathOf(name);
        byte[] bytes;
        try
        {
            // Only a plain file is read: a link could point anywhere (a device that never ends), and a pipe or device
            // (which reports no length) could block the read.
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return SnapshotRead.None;
            }

            if (file.LinkTarget is not null || file.Length is 0 or > SnapshotFormat.MaxBytes)
            {
                return SetAside(name, path, file.LinkTarget is not null ? "it is a link, not a file" : file.Length == 0 ? "it is empty" : SnapshotFormat.TooLarge(file.Length));
            }

            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return SnapshotRead.None;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotStoreException($"Snapshot file {path} could not be read: {ex.Message}", ex);
        }

        var (snapshot, problem) = SnapshotFormat.Read(bytes, partition, accountId);
        return snapshot is not null ? SnapshotRead.Found(snapshot, VersionOf(path)) : SetAside(name, path, problem!);
    }

    public async Task<bool> WriteAsync(KeySnapshot snapshot, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var path = PathOf(SnapshotFormat.Name(snapshot.Partition, snapshot.AccountId));
        if (SnapshotFormat.Check(snapshot, snapshot.Partition, snapshot.AccountId) is { } problem)
        {
            throw new SnapshotStoreException($"Snapshot file {path} was not written: {problem}.");
        }

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

    /// <summary>Renames the unusable file beside itself; when that fails, the read reports it and the next write replaces it.</summary>
    private SnapshotRead SetAside(string name, string path, string problem)
    {
        var aside = PathOf(SnapshotFormat.SetAsideName(name, _time.GetUtcNow()));
        var version = VersionOf(path);
        try
        {
            File.Move(path, aside, overwrite: false);
            return new SnapshotRead(null, new SetAsideSnapshot(path, problem, aside), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SnapshotRead(null, new SetAsideSnapshot(path, problem, null, ex.Message), version);
        }
    }

    /// <summary>
    /// The file of a validated name; never outside the folder (a second guard behind <see cref="SnapshotFormat.Name"/>),
    /// and never through a partition folder that is a link to somewhere else.
    /// </summary>
    private string PathOf(string name)
    {
        var path = Path.GetFullPath(Path.Combine(_folder, name));
        var root = Path.EndsInDirectorySeparator(_folder) ? _folder : _folder + Path.DirectorySeparatorChar;
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            throw new SnapshotStoreException($"Snapshot name '{name}' would leave the state folder {_folder}.");
        }

        if (new DirectoryInfo(Path.GetDirectoryName(path)!) is { Exists: true, LinkTarget: { } target })
        {
            throw new SnapshotStoreException($"Snapshot folder {Path.GetDirectoryName(path)} is a link to {target}: snapshots are kept only inside the state folder {_folder}.");
        }

        return path;
    }

    private static string? VersionOf(string path) => File.Exists(path)
        ? File.GetLastWriteTimeUtc(path).Ticks.ToString(CultureInfo.InvariantCulture)
        : null;
}
