using System.Collections.Concurrent;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Reporting.Collection;

public partial class AccountCollector
{
    private async Task<Inventory> CollectFromReportAsync(AccountScan scan, CancellationToken cancellationToken)
    {
        var aliasTask = LoadAliasAsync(scan, cancellationToken); // not cancelled when the report fails: a failed account still shows its alias
        try
        {
            var report = await scan.Iam.GetCredentialReportAsync(_options.CredentialReportTimeout, cancellationToken).ConfigureAwait(false);
            var readAt = _time.GetUtcNow();
            var rows = report.Rows.Values.Where(r => !r.IsRootAccount).ToList();
            scan.UsersScanned(rows.Count);
            IEnumerable<CollectedKey> userKeys = await ListReportedKeysAsync(scan.Iam, rows.Where(r => r.AccessKeys.Any(ShowsKey)), cancellationToken).ConfigureAwait(false);
            WarnUnreadableRows(scan, report, readLive: true);
            if (report.UnreadableRows.Count > 0)
            {
                // The users of the unreadable lines are unknown: read every user the report does not show, live.
                var live = await ListUsersWithKeysAsync(scan, cancellationToken, user => !report.Rows.ContainsKey(user.UserName)).ConfigureAwait(false);
                userKeys = userKeys.Concat(live.SelectMany(user => Merge(user, row: null)));
            }

            await aliasTask.ConfigureAwait(false);
            return new Inventory(Ordered(scan, userKeys.Concat(RootKeys(report))), report, readAt);
        }
        finally
        {
            await aliasTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary><c>ListAccessKeys</c> for the users the report shows with keys; last use from the report slot each key occupies.</summary>
    private async Task<IReadOnlyCollection<CollectedKey>> ListReportedKeysAsync(IamClient iam, IEnumerable<CredentialReportRow> rows, CancellationToken cancellationToken)
    {
        var keys = new ConcurrentBag<CollectedKey>();
        await Parallel.ForEachAsync(rows, PerAccountParallelism(cancellationToken), async (row, ct) =>
        {
            var listed = await ListKeysAsync(iam, row.User, ct).ConfigureAwait(false);
            foreach (var (key, slot, reported) in KeySlots.Match(listed, row))
            {
                keys.Add(new CollectedKey(
                    row.User, row.Arn, row.UserCreationTime, row.PasswordEnabled, row.MfaActive, key.AccessKeyId, slot,
                    key.IsActive, key.CreateDate, UseOf(reported), IsRoot: false, FromReport: true));
            }
        }).ConfigureAwait(false);
        return keys;
    }
}
