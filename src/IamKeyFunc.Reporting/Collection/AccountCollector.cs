using System.Globalization;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Collection;

/// <summary>
/// Collects the access-key inventory of one AWS account, in the freshness mode of <see cref="CollectionOptions.Mode"/>:
/// <list type="bullet">
/// <item><b>live</b>: <c>ListUsers</c> (all pages) → <c>ListAccessKeys</c> per user → <c>GetAccessKeyLastUsed</c> per key,
/// fanned out up to <see cref="CollectionOptions.MaxConcurrentRequestsPerAccount"/> users at a time, while the credential
/// report is fetched alongside for password/MFA flags and the root user's keys (about 1 + N + K calls). If the report
/// cannot be had, the account is still collected: password/MFA stay null, root keys are missing, and the summary says so.</item>
/// <item><b>report</b>: the credential report, then <c>ListAccessKeys</c> only for users whose report row shows a key;
/// last use comes from the report (up to 4 hours old, stated in every record) (N_with_keys + 3 calls). A report that
/// cannot be had fails the account. Keys created after the report was generated, and inactive never-used keys that the
/// report shows as <c>N/A</c>, are not seen in this mode.</item>
/// </list>
/// Keys are numbered 1 and 2 by creation (the credential report's slots); root keys come from the report's
/// <c>&lt;root_account&gt;</c> row, without a key ID. Users or keys deleted while the account is read are skipped.
/// </summary>
public partial class AccountCollector
{
    private readonly IamClientFactory _clients;
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountCollector> _logger;

    public AccountCollector(
        IamClientFactory clients, IOptions<CollectionOptions> options, TimeProvider timeProvider, ILogger<AccountCollector> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>For test doubles of the job.</summary>
    protected AccountCollector()
    {
        _clients = null!;
        _options = new CollectionOptions();
        _time = TimeProvider.System;
        _logger = null!;
    }

    /// <summary>Collects one account: its keys as facts, before formatting and findings (see <c>Evaluation.KeyRecordBuilder</c>),
    /// and the extra facts <paramref name="facts"/> asks for.</summary>
    /// <exception cref="AccountCollectionException">The account could not be collected; the cause (an <see cref="IamException"/>,
    /// an <see cref="AwsFederationException"/>, ...) is the inner exception, the calls spent so far are in <see cref="AccountCollectionException.Counts"/>.</exception>
    public virtual async Task<AccountInventory> CollectAsync(AwsAccountSession session, CollectionRun run, FactRequest facts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(facts);
        var scan = new AccountScan(_clients.Create(session));
        try
        {
            var inventory = _options.Mode == FreshnessMode.Report
                ? await CollectFromReportAsync(scan, cancellationToken).ConfigureAwait(false)
                : await CollectLiveAsync(scan, cancellationToken).ConfigureAwait(false);
            var context = await CollectContextAsync(scan, inventory.Keys, facts.UserTags, cancellationToken).ConfigureAwait(false);
            return new AccountInventory(scan.Alias, inventory.Keys, scan.Counts, scan.Warning, inventory.Report?.GeneratedTime, AgeHours(inventory), context)
            {
                RootKeysKnown = inventory.Report?.RootAccount is not null,
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AccountCollectionException(session.AccountId, scan.Counts, scan.Alias, ex);
        }
    }

    private ParallelOptions PerAccountParallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _options.MaxConcurrentRequestsPerAccount, CancellationToken = cancellationToken };

    private async Task LoadAliasAsync(AccountScan scan, CancellationToken cancellationToken)
    {
        try
        {
            var aliases = await scan.Iam.ListAccountAliasesAsync(cancellationToken).ConfigureAwait(false);
            scan.Alias = aliases.Count > 0 ? aliases[0] : null;
        }
        catch (IamException ex)
        {
            Warn(scan, ex.ErrorCode, $"Account alias unavailable: {ex.Message}");
        }
    }

    /// <summary>All keys of a user; none when the user was deleted after it was listed.</summary>
    private static async Task<IReadOnlyList<AccessKeyMetadata>> ListKeysAsync(IamClient iam, string userName, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.ListAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
        }
        catch (IamException ex) when (ex.ErrorCode == NoSuchEntity)
        {
            return [];
        }
    }

    /// <summary>The root user's keys from the report's <c>&lt;root_account&gt;</c> row (no key IDs: the report does not disclose them).</summary>
    private static IEnumerable<CollectedKey> RootKeys(CredentialReport? report) =>
        report?.RootAccount is not { } root
            ? []
            : root.AccessKeys.Where(ShowsKey).Select(slot => new CollectedKey(
                root.User, root.Arn, root.UserCreationTime, root.PasswordEnabled, root.MfaActive, AccessKeyId: null, slot.Slot,
                slot.Active, slot.LastRotated, UseOf(slot), IsRoot: true, FromReport: true));

    /// <summary>A report slot holds a key when it is active, has a rotation date, or has been used.</summary>
    private static bool ShowsKey(CredentialReportAccessKey slot) => slot.HasKey || slot.LastUsedDate is not null;

    private static KeyUse? UseOf(CredentialReportAccessKey? slot) =>
        slot?.LastUsedDate is { } at ? new KeyUse(at, slot.LastUsedRegion, slot.LastUsedService) : null;

    /// <summary>
    /// Users first, by name and slot, then the root's keys; each key once. A key listed twice under one user gives one
    /// record. A key ID listed under two users (which IAM never does: key IDs are unique) is reported once, under the
    /// user <c>GetAccessKeyLastUsed</c> names as its owner (live mode), else the first of them by name, with a
    /// <see cref="DuplicateKeyCode"/> warning naming the other user; the other user's remaining keys take slots 1, 2 in order.
    /// </summary>
    private IReadOnlyList<CollectedKey> Ordered(AccountScan scan, IEnumerable<CollectedKey> keys)
    {
        var ordered = keys.OrderBy(k => k.IsRoot).ThenBy(k => k.UserName, StringComparer.Ordinal).ThenBy(k => k.Slot)
            .DistinctBy(k => (k.IsRoot, k.UserName, k.IsRoot ? null : k.AccessKeyId, k.IsRoot ? k.Slot : 0))
            .ToList();
        var keepers = ordered.Where(k => k.AccessKeyId is not null)
            .GroupBy(k => k.AccessKeyId!, StringComparer.Ordinal)
            .Where(listed => listed.Skip(1).Any())
            .ToDictionary(listed => listed.Key, listed => listed.FirstOrDefault(k => k.UserName == k.OwnerFromLastUse) ?? listed.First(), StringComparer.Ordinal);
        if (keepers.Count == 0)
        {
            return ordered;
        }

        var kept = new List<CollectedKey>(ordered.Count);
        var duplicates = new List<string>();
        var renumber = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in ordered)
        {
            if (key.AccessKeyId is { } id && keepers.TryGetValue(id, out var keeper) && !ReferenceEquals(keeper, key))
            {
                duplicates.Add(string.Create(CultureInfo.InvariantCulture,
                    $"the key in slot {keeper.Slot} of user {keeper.UserName} was also listed under user {key.UserName}"));
                renumber.Add(key.UserName);
                continue;
            }

            kept.Add(key);
        }

        var named = string.Join("; ", duplicates.Take(MaxNamed));
        var more = duplicates.Count > MaxNamed ? string.Create(CultureInfo.InvariantCulture, $"; and {duplicates.Count - MaxNamed} more") : "";
        Warn(scan, DuplicateKeyCode, string.Create(CultureInfo.InvariantCulture,
            $"IAM listed {duplicates.Count} access key ID(s) under more than one user; each is reported once, under the user GetAccessKeyLastUsed names as its owner, else the first by name: {named}{more}."));
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. kept.Select(k => k.IsRoot || !renumber.Contains(k.UserName) ? k : k with { Slot = slots[k.UserName] = slots.GetValueOrDefault(k.UserName) + 1 })];
    }

    private static double? AgeHours(Inventory inventory) => inventory is { Report: { } report, ReportReadAt: { } readAt }
        ? Math.Round(Math.Max(0, (readAt - report.GeneratedTime).TotalHours), 2)
        : null;

    /// <summary>
    /// A <see cref="UnreadableReportRowsCode"/> warning naming each credential-report line left out (at most
    /// <see cref="MaxNamed"/> by line) and what that costs.
    /// </summary>
    private void WarnUnreadableRows(AccountScan scan, CredentialReport report, bool readLive)
    {
        var unreadable = report.UnreadableRows;
        if (unreadable.Count == 0)
        {
            return;
        }

        var named = string.Join("; ", unreadable.Take(MaxNamed).Select(row => string.Create(CultureInfo.InvariantCulture,
            $"line {row.Line}{(row.LikelyUser is { } user ? $" (user {user}?)" : "")}: {row.Problem}")));
        var more = unreadable.Count > MaxNamed ? string.Create(CultureInfo.InvariantCulture, $"; and {unreadable.Count - MaxNamed} more") : "";
        var cost = readLive
            ? "Their users' keys were read with ListUsers, ListAccessKeys and GetAccessKeyLastUsed instead, without password and MFA flags."
            : "Their users' password and MFA flags are not reported.";
        var root = report.RootAccount is null ? " The root user's line is not among the readable ones, so the root user's keys are not reported." : "";
        Warn(scan, UnreadableReportRowsCode, string.Create(CultureInfo.InvariantCulture,
            $"{unreadable.Count} line(s) of the credential report could not be read and were left out ({named}{more}). {cost}{root}"));
    }

    private void Warn(AccountScan scan, string code, string message)
    {
        scan.AddWarning(code, message);
        LogWarning(scan.Iam.AccountLabel, code, message);
    }

    private const string NoSuchEntity = "NoSuchEntity";

    /// <summary>How many duplicates or unreadable lines a warning names (it counts them all).</summary>
    private const int MaxNamed = 3;

    /// <summary>The warning code of an account whose credential report had lines that could not be read.</summary>
    public const string UnreadableReportRowsCode = "UnreadableCredentialReportLines";

    /// <summary>The warning code of an account where IAM listed one access key ID under more than one user.</summary>
    public const string DuplicateKeyCode = "DuplicateAccessKey";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: {ErrorCode}: {ErrorMessage}")]
    private partial void LogWarning(string accountId, string errorCode, string errorMessage);

    /// <summary>The keys of one account and the credential report they were merged with (if any).</summary>
    private sealed record Inventory(IReadOnlyList<CollectedKey> Keys, CredentialReport? Report, DateTimeOffset? ReportReadAt);

    /// <summary>The running state of one account's collection: its IAM client and what has been learned or spent.</summary>
    private sealed class AccountScan(IamClient iam)
    {
        private readonly Lock _gate = new();
        private readonly List<AccountIssue> _warnings = [];
        private int _usersScanned;

        public IamClient Iam { get; } = iam;

        public string? Alias { get; set; }

        public AccountCounts Counts => new(
            Volatile.Read(ref _usersScanned), (int)Iam.Stats.TotalApiCalls, (int)Iam.Stats.ThrottledResponses);

        /// <summary>All warnings as one issue: codes comma-separated, messages joined.</summary>
        public AccountIssue? Warning
        {
            get
            {
                lock (_gate)
                {
                    return _warnings.Count == 0
                        ? null
                        : new AccountIssue(string.Join(',', _warnings.Select(w => w.Code)), string.Join(" ", _warnings.Select(w => w.Message)));
                }
            }
        }

        public void UserScanned() => Interlocked.Increment(ref _usersScanned);

        public void UsersScanned(int count) => Interlocked.Exchange(ref _usersScanned, count);

        public void AddWarning(string code, string message)
        {
            lock (_gate)
            {
                _warnings.Add(new AccountIssue(code, message));
            }
        }
    }
}
