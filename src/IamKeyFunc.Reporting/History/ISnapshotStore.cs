namespace IamKeyFunc.Reporting.History;

/// <summary>
/// Where each account's previous snapshot is kept: a blob per account in the Function's own storage account
/// (<see cref="BlobSnapshotStore"/>) or a file per account in a local folder (<see cref="FolderSnapshotStore"/>).
/// </summary>
public interface ISnapshotStore
{
    /// <summary><c>Blob</c> or <c>Folder</c>, for logs.</summary>
    string Name { get; }

    /// <summary>
    /// The account's snapshot with its store version (an ETag). <see cref="SnapshotRead.None"/> when the account has none
    /// yet. A snapshot that cannot be read or breaks an invariant (<see cref="SnapshotFormat.Read"/>) is set aside (renamed,
    /// or copied and deleted) and reported in <see cref="SnapshotRead.SetAside"/>: the account then starts a new baseline.
    /// </summary>
    /// <exception cref="SnapshotStoreException">The store could not be read, or <paramref name="partition"/> or
    /// <paramref name="accountId"/> is not valid for a snapshot name; the account then emits no events and keeps its snapshot.</exception>
    Task<SnapshotRead> ReadAsync(string partition, string accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the account's snapshot if it is still at <paramref name="expectedVersion"/> (null: if it still has none).
    /// Returns false, writing nothing, when another run replaced it in between.
    /// </summary>
    /// <exception cref="SnapshotStoreException">The store could not be written, or the snapshot breaks an invariant (it is never written then).</exception>
    Task<bool> WriteAsync(KeySnapshot snapshot, string? expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>A snapshot as read, with the version a conditional write must match.</summary>
public sealed record StoredSnapshot(KeySnapshot Snapshot, string? Version);

/// <summary>What reading an account's snapshot found.</summary>
/// <param name="Stored">The snapshot and its version; null when there is none (first run) or it was set aside.</param>
/// <param name="SetAside">Why the stored snapshot could not be used, and where it went; null when it could.</param>
/// <param name="Version">The version a write must match: the snapshot's, or, when a bad snapshot could not be moved
/// away, the bad one's (so the next write replaces it); null when the account has none.</param>
public sealed record SnapshotRead(StoredSnapshot? Stored, SetAsideSnapshot? SetAside, string? Version)
{
    /// <summary>The account has no snapshot yet.</summary>
    public static SnapshotRead None { get; } = new(null, null, null);

    public static SnapshotRead Found(KeySnapshot snapshot, string? version) => new(new StoredSnapshot(snapshot, version), null, version);
}

/// <summary>A stored snapshot that could not be used.</summary>
/// <param name="Name">Where it is: the file's path, or <c>{container}/{partition}/{accountId}.json</c>.</param>
/// <param name="Problem">Why it could not be used, for people (no content of the snapshot beyond what names the problem).</param>
/// <param name="MovedTo">Where it was moved (same form as <paramref name="Name"/>); null when it could not be moved (see <paramref name="MoveError"/>).</param>
/// <param name="MoveError">Why it could not be moved; the next write then replaces it.</param>
public sealed record SetAsideSnapshot(string Name, string Problem, string? MovedTo, string? MoveError = null);

/// <summary>A snapshot store failed; the message is safe to log (no secrets).</summary>
public sealed class SnapshotStoreException : Exception
{
    public SnapshotStoreException()
    {
    }

    public SnapshotStoreException(string message)
        : base(message)
    {
    }

    public SnapshotStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
