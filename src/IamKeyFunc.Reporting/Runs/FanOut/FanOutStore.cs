using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;

namespace IamKeyFunc.Reporting.Runs.FanOut;

/// <summary>
/// A fan-out run's state in the Function's storage account: the lock blob <c>run.lock</c> (an infinite lease, the
/// holder's run ID and start time in its metadata), the run record, one outcome blob per account (created once, with
/// <c>If-None-Match: *</c>), the completion marker (created once, so one invocation writes the run-level record), and the
/// account queue.
/// </summary>
public class FanOutStore(BlobContainerClient container, QueueClient queue)
{
    private const string LockBlob = "run.lock";
    private const string RunIdKey = "runid";
    private const string StartedAtKey = "startedat";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly BlobRequestConditions IfNew = new() { IfNoneMatch = ETag.All };

    /// <summary>Takes the deployment's run lock for <paramref name="runId"/>; breaks a lock older than <paramref name="maxRunTime"/>.</summary>
    /// <returns>The lease ID to release the lock with.</returns>
    /// <exception cref="RunInProgressException">Another run holds the lock.</exception>
    public virtual async Task<string> AcquireLockAsync(string runId, DateTimeOffset now, TimeSpan maxRunTime, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(LockBlob);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = IfNew }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            // Exists already (and may be leased).
        }

        var lease = blob.GetBlobLeaseClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var taken = await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                await blob.SetMetadataAsync(
                    new Dictionary<string, string> { [RunIdKey] = runId, [StartedAtKey] = now.ToString("O", CultureInfo.InvariantCulture) },
                    new BlobRequestConditions { LeaseId = taken.Value.LeaseId },
                    cancellationToken).ConfigureAwait(false);
                return taken.Value.LeaseId;
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.Conflict && attempt == 0)
            {
                var metadata = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Metadata;
                var holder = metadata.TryGetValue(RunIdKey, out var id) ? id : "unknown";
                var started = metadata.TryGetValue(StartedAtKey, out var at) && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                    ? parsed
                    : DateTimeOffset.MinValue;
                if (now - started < maxRunTime)
                {
                    throw new RunInProgressException(holder);
                }

                await lease.BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.Conflict)
            {
                throw new RunInProgressException("unknown");
            }
        }
    }

    /// <summary>Releases the lock if <paramref name="leaseId"/> still holds it (a lock broken after <c>MaxRunTime</c> belongs to a newer run).</summary>
    public virtual async Task ReleaseLockAsync(string leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await container.GetBlobClient(LockBlob).GetBlobLeaseClient(leaseId).ReleaseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            // No longer ours.
        }
    }

    public virtual Task WriteRunAsync(FanOutRun run, CancellationToken cancellationToken) =>
        container.GetBlobClient($"{run.RunId}/run.json").UploadAsync(BinaryData.FromObjectAsJson(run, Json), overwrite: true, cancellationToken);

    public virtual async Task<FanOutRun> ReadRunAsync(string runId, CancellationToken cancellationToken) =>
        (await container.GetBlobClient($"{runId}/run.json").DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToObjectFromJson<FanOutRun>(Json)!;

    /// <summary>Queues one message per account (base64, as the queue trigger reads them).</summary>
    public virtual async Task EnqueueAsync(IEnumerable<AccountWorkItem> items, CancellationToken cancellationToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            await queue.SendMessageAsync(BinaryData.FromObjectAsJson(item, Json), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public static AccountWorkItem ParseWorkItem(string message) =>
        JsonSerializer.Deserialize<AccountWorkItem>(message, Json) ?? throw new FormatException("The account message is empty.");

    /// <summary>Records the account's outcome once; false when an earlier attempt recorded it already.</summary>
    public virtual Task<bool> TryRecordOutcomeAsync(string runId, AccountOutcomeRecord outcome, CancellationToken cancellationToken) =>
        TryCreateAsync($"{runId}/accounts/{outcome.AccountId}.json", BinaryData.FromObjectAsJson(outcome, Json), cancellationToken);

    /// <summary>How many accounts of the run have an outcome (names only, nothing downloaded).</summary>
    public virtual async Task<int> CountOutcomesAsync(string runId, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{runId}/accounts/" }, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    public virtual async Task<bool> HasOutcomeAsync(string runId, string accountId, CancellationToken cancellationToken) =>
        (await container.GetBlobClient($"{runId}/accounts/{accountId}.json").ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    public virtual async Task<IReadOnlyList<AccountOutcomeRecord>> ReadOutcomesAsync(string runId, CancellationToken cancellationToken)
    {
        var outcomes = new List<AccountOutcomeRecord>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{runId}/accounts/" }, cancellationToken).ConfigureAwait(false))
        {
            var content = await container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            outcomes.Add(content.Value.Content.ToObjectFromJson<AccountOutcomeRecord>(Json)!);
        }

        return outcomes;
    }

    /// <summary>Writes the run-level record once; false when another invocation completed the run first.</summary>
    public virtual Task<bool> TryCompleteAsync(FanOutRunTotals totals, CancellationToken cancellationToken) => TryCreateAsync($"{totals.RunId}/complete.json", BinaryData.FromObjectAsJson(totals, Json), cancellationToken);

    private async Task<bool> TryCreateAsync(string name, BinaryData content, CancellationToken cancellationToken)
    {
        try
        {
            await container.GetBlobClient(name).UploadAsync(content, new BlobUploadOptions { Conditions = IfNew }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }
}
