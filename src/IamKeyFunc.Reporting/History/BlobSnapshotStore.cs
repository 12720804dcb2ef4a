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
/// </summary>
public sealed class BlobSnapshotStore(BlobContainerClient container) : ISnapshotStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _containerReady;

    public string Name => "Blob";

    public async Task<StoredSnapshot?> ReadAsync(string partition, string accountId, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(SnapshotFormat.Name(partition, accountId));
        try
        {
            var response = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = SnapshotFormat.Deserialize(response.Value.Content.ToMemory().Span);
            return snapshot is null ? null : new StoredSnapshot(snapshot, response.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException)
        {
            throw Failure("read", blob, ex);
        }
    }

    public async Task<bool> WriteAsync(KeySnapshot snapshot, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var blob = container.GetBlobClient(SnapshotFormat.Name(snapshot.Partition, snapshot.AccountId));
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
    private static SnapshotStoreException Failure(string verb, BlobClient blob, Exception ex) => ex is RequestFailedException { Status: > 0 } failed
        ? new($"Snapshot blob {blob.BlobContainerName}/{blob.Name} could not be {verb}: {failed.Status} {failed.ErrorCode}.", ex)
        : new($"Snapshot blob {blob.BlobContainerName}/{blob.Name} could not be {verb}: storage unreachable ({(ex.InnerException ?? ex).GetType().Name}).", ex);
}
