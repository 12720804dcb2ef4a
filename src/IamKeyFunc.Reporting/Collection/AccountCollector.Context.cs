using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Reporting.Collection;

/// <summary>
/// The account context around the keys: the root user's state (<c>GetAccountSummary</c>, one call, always), the users'
/// groups and policies (<c>GetAccountAuthorizationDetails</c>, only with <c>PrivilegeScan</c>; it brings the users' tags
/// too) and, when a policy matches on user tags and the privilege scan is off, <c>ListUserTags</c> per user with a key.
/// A failure of any of these is a warning on the account, never a failed account.
/// </summary>
public partial class AccountCollector
{
    private async Task<AccountContextFacts> CollectContextAsync(AccountScan scan, IReadOnlyList<CollectedKey> keys, bool needUserTags, CancellationToken cancellationToken)
    {
        IamAccountSummary? summary = null;
        try
        {
            summary = await scan.Iam.GetAccountSummaryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IamException ex)
        {
            Warn(scan, ex.ErrorCode, $"Root user state unavailable (GetAccountSummary): {ex.Message}");
        }

        AccountAuthorizationDetails? authorization = null;
        if (_options.PrivilegeScan)
        {
            try
            {
                authorization = await scan.Iam.GetAllAccountAuthorizationDetailsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IamException ex)
            {
                Warn(scan, ex.ErrorCode, $"Privilege scan unavailable (GetAccountAuthorizationDetails): {ex.Message}");
            }
        }

        IReadOnlyDictionary<string, IReadOnlyList<IamTag>>? tags = authorization?.Users
            .GroupBy(u => u.UserName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Tags, StringComparer.OrdinalIgnoreCase);
        if (needUserTags && tags is null)
        {
            tags = await ListTagsAsync(scan, keys, cancellationToken).ConfigureAwait(false);
        }

        return new AccountContextFacts(summary, authorization, tags);
    }

    /// <summary>The tags of every user that has a key; users deleted meanwhile have none.</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<IamTag>>?> ListTagsAsync(AccountScan scan, IReadOnlyList<CollectedKey> keys, CancellationToken cancellationToken)
    {
        var users = keys.Where(k => !k.IsRoot).Select(k => k.UserName).Distinct(StringComparer.Ordinal).ToList();
        var tags = new System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<IamTag>>(StringComparer.OrdinalIgnoreCase);
        try
        {
            await Parallel.ForEachAsync(users, PerAccountParallelism(cancellationToken), async (user, token) =>
            {
                try
                {
                    tags[user] = await scan.Iam.ListUserTagsAsync(user, token).ConfigureAwait(false);
                }
                catch (IamException ex) when (ex.ErrorCode == NoSuchEntity)
                {
                    tags[user] = [];
                }
            }).ConfigureAwait(false);
            return tags;
        }
        catch (IamException ex)
        {
            Warn(scan, ex.ErrorCode, $"User tags unavailable (ListUserTags): {ex.Message}; policies matching on user tags did not apply.");
            return null;
        }
    }
}

/// <summary>The account context collected beside the keys; every part is null when it was not asked for or could not be had.</summary>
/// <param name="Summary">The <c>GetAccountSummary</c> map (root user's keys and MFA).</param>
/// <param name="Authorization">Users, groups and managed policies (privilege scan).</param>
/// <param name="UserTags">Tags per user name (from the authorization details, or <c>ListUserTags</c>).</param>
public sealed record AccountContextFacts(
    IamAccountSummary? Summary,
    AccountAuthorizationDetails? Authorization,
    IReadOnlyDictionary<string, IReadOnlyList<IamTag>>? UserTags)
{
    public static AccountContextFacts None { get; } = new(null, null, null);
}
