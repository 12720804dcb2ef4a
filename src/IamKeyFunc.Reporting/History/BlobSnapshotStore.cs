using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// Snapshots as block blobs <c>{partition}/{accountId}.json</c> in one container of the Function's own storage
/// account (<c>AzureWebJobsStorage</c>), reached with the app's managed identity (or a connection string such as
/// Azurite's <c>UseDevelopmentStorage=true</c>). Per account and run: one <c>GET</c> (404 on the first run) and one
/// conditional <c>PUT</c> (<c>If-Match</c> the ETag read, or <c>If-None-Match: *</c>), so two runs racing on an
/// account cannot overwrite each other's newer snapshot. The container is created on the first write of the process.
/// A blob that is not a usable snapshot is copied to <c>{name}.unreadable-{time}-{random}</c> and then deleted
/// (<c>If-Match</c> the ETag read). Blob names are built only from names <see cref="SnapshotFormat.Name"/> validated.
/// </summary>
public sealed class BlobSnapshotStore(BlobContainerClient container, TimeProvider? timeProvider = null) : ISnapshotStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private bool _containerReady;

    public string Name => "Blob";

    public async Task<SnapshotRead> ReadAsync(string partition, string accountId, CancellationToken cancellationToken = default)
    {
        var name = SnapshotFormat.Name(partition, accountId);
        var blob = container.GetBlobClient(name);
        try
        {
            using var download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var etag = download.Details.ETag;
            if (download.Details.ContentLength > SnapshotFormat.MaxBytes)
            {
                return await SetAsideAsync(blob, name, etag, null, SnapshotFormat.TooLarge(download.Details.ContentLength), cancellationToken).ConfigureAwait(false);
            }

            var content = await ReadBoundedAsync(download.Content, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                return await SetAsideAsync(blob, name, etag, null, SnapshotFormat.TooLarge(SnapshotFormat.MaxBytes + 1L), cancellationToken).ConfigureAwait(false);
            }

            var (snapshot, problem) = SnapshotFormat.Read(content, partition, accountId);
            return snapshot is not null
                ? SnapshotRead.Found(snapshot, etag.ToString())
                : await SetAsideAsync(blob, name, etag, content, problem!, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return SnapshotRead.None;
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or IOException)
        {
            throw Failure("read", blob, ex);
        }
    }

    public async Task<bool> WriteAsync(KeySnapshot snapshot, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var blob = container.GetBlobClient(SnapshotFormat.Name(snapshot.Partition, snapshot.AccountId));
        if (SnapshotFormat.Check(snapshot, snapshot.Partition, snapshot.AccountId) is { } problem)
        {
            throw new SnapshotStoreException($"Snapshot blob {blob.BlobContainerName}/{blob.Name} was not written: {problem}.");
        }

        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Conditions = expectedVersion is null
                ? new BlobRequestConditions { IfNoneMatch = ETag.All }
                : new BlobRequestConditions { IfMatch = new ETag(expectedVersion) },
        };
        try
        {
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            await blob.UploadAsync(new BinaryData(SnapshotFormat.Serialize(snapshot)), options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException)
        {
            throw Failure("written", blob, ex);
        }
    }

    /// <summary>
    /// Moves an unusable blob aside: a copy of the content read (or, for a blob too large to read, a copy in the
    /// service), then a delete of the original if it is still the one read. When that fails, the read reports it and
    /// returns the bad blob's ETag, so the next write replaces it.
    /// </summary>
    private async Task<SnapshotRead> SetAsideAsync(BlobClient blob, string name, ETag etag, byte[]? content, string problem, CancellationToken cancellationToken)
    {
        var aside = container.GetBlobClient(SnapshotFormat.SetAsideName(name, _time.GetUtcNow()));
        var (original, asideName) = ($"{container.Name}/{name}", $"{container.Name}/{aside.Name}");
        try
        {
            if (content is not null)
            {
                await aside.UploadAsync(new BinaryData(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var copy = await aside.StartCopyFromUriAsync(blob.Uri, new BlobCopyFromUriOptions
                {
                    SourceConditions = new BlobRequestConditions { IfMatch = etag },
                    DestinationConditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, cancellationToken).ConfigureAwait(false);
                await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or InvalidOperationException)
        {
            return new SnapshotRead(null, new SetAsideSnapshot(original, problem, null, $"the copy failed ({Reason(ex)})"), etag.ToString());
        }

        try
        {
            await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = etag }, cancellationToken).ConfigureAwait(false);
            return new SnapshotRead(null, new SetAsideSnapshot(original, problem, asideName), null);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new SnapshotRead(null, new SetAsideSnapshot(original, problem, asideName), null);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException)
        {
            // Copied but not deleted (412: another run replaced it meanwhile): that run's snapshot wins the next write.
            return new SnapshotRead(null, new SetAsideSnapshot(original, problem, asideName, $"the original could not be deleted ({Reason(ex)})"), etag.ToString());
        }
    }

    /// <summary>The whole content, or null when it is longer than <see cref="SnapshotFormat.MaxBytes"/> (whatever the length header said).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > SnapshotFormat.MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _containerReady))
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_containerReady)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _containerReady, true);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The status and error code only: an SDK message can quote request headers.</summary>
    private static SnapshotStoreException Failure(string verb, BlobClient blob, Exception ex) =>
        new($"Snapshot blob {blob.BlobContainerName}/{blob.Name} could not be {verb}: {Reason(ex)}.", ex);

    private static string Reason(Exception ex) => ex is RequestFailedException { Status: > 0 } failed
        ? $"{failed.Status} {failed.ErrorCode}"
        : $"storage unreachable ({(ex.InnerException ?? ex).GetType().Name})";
}
