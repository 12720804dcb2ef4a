using System.Collections.Concurrent;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Reporting.Collection;

public partial class AccountCollector
{
    private async Task<Inventory> CollectLiveAsync(AccountScan scan, CancellationToken cancellationToken)
    {
        using var sideCalls = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reportTask = TryGetReportAsync(scan, sideCalls.Token);
        var aliasTask = LoadAliasAsync(scan, cancellationToken); // not cancelled when the users fail: a failed account still shows its alias
        try
        {
            var users = await ListUsersWithKeysAsync(scan, cancellationToken).ConfigureAwait(false);
            var (report, readAt) = await reportTask.ConfigureAwait(false);
            await aliasTask.ConfigureAwait(false);
            var userKeys = users.SelectMany(u => Merge(u, report?.Rows.GetValueOrDefault(u.User.UserName)));
            return new Inventory(Ordered(scan, userKeys.Concat(RootKeys(report))), report, readAt);
        }
        finally
        {
            // When the users fail, do not leave the report poll running (the alias call, one request, may finish); when they succeed, both side calls are done.
            await sideCalls.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(reportTask, aliasTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Every user (pages streamed), or those <paramref name="include"/> keeps, with its keys in slot order and each key's
    /// last use, users fanned out in parallel.
    /// </summary>
    private async Task<IReadOnlyCollection<LiveUser>> ListUsersWithKeysAsync(AccountScan scan, CancellationToken cancellationToken, Func<IamUser, bool>? include = null)
    {
        var users = new ConcurrentBag<LiveUser>();
        var seen = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var pages = scan.Iam.ListAllUsersAsync(_options.PageSize, cancellationToken);
        await Parallel.ForEachAsync(pages, PerAccountParallelism(cancellationToken), async (user, ct) =>
        {
            if ((include is not null && !include(user)) || !seen.TryAdd(user.UserName, 0))
            {
                return; // a user listed twice (a repeated page entry) is read once and gives one record per key
            }

            scan.UserScanned();
            var keys = KeySlots.ByCreation(await ListKeysAsync(scan.Iam, user.UserName, ct).ConfigureAwait(false));
            var withUse = new List<LiveKey>(keys.Count);
            foreach (var (key, slot) in keys)
            {
                if (await LastUseAsync(scan.Iam, key.AccessKeyId, ct).ConfigureAwait(false) is { } lastUsed)
                {
                    withUse.Add(new LiveKey(key, slot, lastUsed.LastUsedDate is { } at ? new KeyUse(at, lastUsed.Region, lastUsed.ServiceName) : null, lastUsed.UserName));
                }
            }

            users.Add(new LiveUser(user, withUse));
        }).ConfigureAwait(false);
        return users;
    }

    /// <summary>The key's last use; null when the key was deleted after it was listed.</summary>
    private static async Task<AccessKeyLastUsed?> LastUseAsync(IamClient iam, string accessKeyId, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.GetAccessKeyLastUsedAsync(accessKeyId, cancellationToken).ConfigureAwait(false);
        }
        catch (IamException ex) when (ex.ErrorCode == NoSuchEntity)
        {
            return null;
        }
    }

    /// <summary>The credential report for context, or null (with a warning) when IAM cannot produce it.</summary>
    private async Task<(CredentialReport? Report, DateTimeOffset? ReadAt)> TryGetReportAsync(AccountScan scan, CancellationToken cancellationToken)
    {
        try
        {
            var report = await scan.Iam.GetCredentialReportAsync(_options.CredentialReportTimeout, cancellationToken).ConfigureAwait(false);
            WarnUnreadableRows(scan, report, readLive: false);
            return (report, _time.GetUtcNow());
        }
        catch (IamException ex)
        {
            Warn(scan, ex.ErrorCode, $"Credential report unavailable, so password/MFA flags and root keys are not reported: {ex.Message}");
            return (null, null);
        }
    }

    private static IEnumerable<CollectedKey> Merge(LiveUser user, CredentialReportRow? row) => user.Keys.Select(k => new CollectedKey(
        user.User.UserName, user.User.Arn, user.User.CreateDate, row?.PasswordEnabled, row?.MfaActive, k.Key.AccessKeyId, k.Slot,
        k.Key.IsActive, k.Key.CreateDate, k.LastUsed, IsRoot: false, FromReport: false)
    {
        OwnerFromLastUse = k.Owner,
    });

    private sealed record LiveUser(IamUser User, IReadOnlyList<LiveKey> Keys);

    private sealed record LiveKey(AccessKeyMetadata Key, int Slot, KeyUse? LastUsed, string? Owner);
}
