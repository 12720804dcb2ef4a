namespace IamKeyFunc.Reporting.History;

/// <summary>
/// Where each account's previous snapshot is kept: a blob per account in the Function's own storage account
/// (<see cref="BlobSnapshotStore"/>) or a file per account in a local folder (<see cref="FolderSnapshotStore"/>).
/// </summary>
public interface ISnapshotStore
{
    /// <summary><c>Blob</c> or <c>Folder</c>, for logs.</summary>
    string Name { get; }

    /// <summary>The account's snapshot with its store version (an ETag), or null when the account has none yet.</summary>
    /// <exception cref="SnapshotStoreException">The store could not be read; the account then emits no events and keeps its snapshot.</exception>
    Task<StoredSnapshot?> ReadAsync(string partition, string accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the account's snapshot if it is still at <paramref name="expectedVersion"/> (null: if it still has none).
    /// Returns false, writing nothing, when another run replaced it in between.
    /// </summary>
    /// <exception cref="SnapshotStoreException">The store could not be written.</exception>
    Task<bool> WriteAsync(KeySnapshot snapshot, string? expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>A snapshot as read, with the version a conditional write must match.</summary>
public sealed record StoredSnapshot(KeySnapshot Snapshot, string? Version);

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

/// <summary>Names and encodes snapshots the same way in every store: <c>{partition}/{accountId}.json</c>.</summary>
internal static class SnapshotFormat
{
    public static string Name(string partition, string accountId) => $"{partition}/{accountId}.json";

    public static byte[] Serialize(KeySnapshot snapshot) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(snapshot, HistoryJsonContext.Default.KeySnapshot);

    /// <summary>The snapshot, or null when the content is not a snapshot (the account then gets a new baseline).</summary>
    public static KeySnapshot? Deserialize(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(utf8, HistoryJsonContext.Default.KeySnapshot);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
