using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// The job's view of the change history: compares an account's keys with the snapshot in the store
/// (<see cref="CompareAsync"/>), and keeps the new snapshots once the run's records were delivered
/// (<see cref="SaveAsync"/>). Reading state never throws and never fails an account: a store that cannot be read costs
/// the account its events for this run (<see cref="ReadFailedCode"/>; it keeps its old snapshot, so the changes are
/// reported by the next run that can read it); a snapshot that cannot be used is set aside and the account starts a new
/// baseline (<see cref="SetAsideCode"/>); a snapshot that cannot be written is <see cref="NotSavedCode"/>. Each is a
/// warning on the account's summary row and in the log.
/// </summary>
public partial class KeyHistory
{
    /// <summary>The warning code of an account whose stored snapshot could not be used and was set aside.</summary>
    public const string SetAsideCode = "SnapshotSetAside";

    /// <summary>The warning code of an account whose snapshot store could not be read.</summary>
    public const string ReadFailedCode = "SnapshotReadFailed";

    /// <summary>The warning code of an account whose new snapshot could not be written.</summary>
    public const string NotSavedCode = "SnapshotNotSaved";

    private readonly ISnapshotStore? _store;
    private readonly HistoryOptions _options;
    private readonly ILogger<KeyHistory> _logger;

    public KeyHistory(ISnapshotStore? store, IOptions<HistoryOptions> options, ILogger<KeyHistory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _store = _options.Enabled ? store : null;
        _logger = logger;
    }

    /// <summary>False with <c>IamKey:History:Enabled=false</c>: no state is read or written and no events are sent.</summary>
    public bool Enabled => _store is not null;

    /// <summary>The account's events against its stored snapshot (none when history is off or the store failed), and the warning for its summary row.</summary>
    public virtual async Task<HistoryComparison> CompareAsync(HistoryContext context, ObservedKeys observed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is null)
        {
            return HistoryComparison.Off;
        }

        SnapshotRead read;
        try
        {
            read = await _store.ReadAsync(context.Partition, context.AccountId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var issue = SafeError.From(ex);
            LogReadFailed(context.AccountId, _store.Name, issue.Code, issue.Message);
            return new HistoryComparison(null, new AccountIssue(
                ReadFailedCode, $"The snapshot store {_store.Name} could not be read ({issue.Code}: {issue.Message}); no change events this run, the old snapshot is kept."));
        }

        AccountIssue? warning = null;
        if (read.SetAside is { } aside)
        {
            warning = new AccountIssue(SetAsideCode, SetAsideMessage(aside));
            LogSetAside(context.AccountId, _store.Name, warning.Message);
        }

        AccountChanges changes;
        try
        {
            changes = KeyEventDetector.Compare(read.Stored?.Snapshot, observed, context, _options.RotationStuckDays);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && read.Stored is not null)
        {
            // A snapshot that passed every check and still cannot be compared: a new baseline, never a failed account.
            var issue = SafeError.From(ex);
            warning = new AccountIssue(ReadFailedCode, $"The snapshot could not be compared ({issue.Code}: {issue.Message}); this run is the account's new baseline, with no change events.");
            LogSetAside(context.AccountId, _store.Name, warning.Message);
            changes = KeyEventDetector.Compare(null, observed, context, _options.RotationStuckDays);
        }

        return new HistoryComparison(new PendingSnapshot(changes, read.Version), warning);
    }

    /// <summary>
    /// Writes each snapshot (conditionally on the version read). Failures are logged, never thrown, and each becomes
    /// a <see cref="NotSavedCode"/> warning for its account; a snapshot another run replaced meanwhile is not written and
    /// not a failure.
    /// </summary>
    public virtual async Task<HistorySave> SaveAsync(IReadOnlyList<PendingSnapshot> pending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (_store is null)
        {
            return HistorySave.Nothing;
        }

        var saved = 0;
        var failures = new Dictionary<string, AccountIssue>(StringComparer.Ordinal);
        foreach (var item in pending)
        {
            var snapshot = item.Changes.Snapshot;
            try
            {
                if (await _store.WriteAsync(snapshot, item.Version, cancellationToken).ConfigureAwait(false))
                {
                    saved++;
                }
                else
                {
                    LogWriteConflict(snapshot.AccountId, _store.Name, snapshot.RunId);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var issue = SafeError.From(ex);
                LogWriteFailed(snapshot.AccountId, _store.Name, issue.Code, issue.Message);
                failures[snapshot.AccountId] = new AccountIssue(
                    NotSavedCode,
                    $"The snapshot could not be written to the snapshot store {_store.Name} ({issue.Code}: {issue.Message}); the next run compares with the old snapshot again, so its change events repeat.");
            }
        }

        return new HistorySave(_store.Name, pending.Count, saved, failures);
    }

    private static string SetAsideMessage(SetAsideSnapshot aside) => aside.MovedTo is { } movedTo
        ? $"The snapshot {aside.Name} could not be used ({aside.Problem}) and was moved to {movedTo}; this run is the account's new baseline, with no change events."
        : $"The snapshot {aside.Name} could not be used ({aside.Problem}) and could not be moved ({aside.MoveError}); this run is the account's new baseline, with no change events, and its snapshot replaces the unusable one.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: snapshot store {Store} could not be read ({ErrorCode}: {ErrorMessage}); no events this run, the old snapshot is kept")]
    private partial void LogReadFailed(string accountId, string store, string errorCode, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: snapshot store {Store}: {Warning}")]
    private partial void LogSetAside(string accountId, string store, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: snapshot store {Store} could not be written ({ErrorCode}: {ErrorMessage}); the next run compares with the old snapshot again")]
    private partial void LogWriteFailed(string accountId, string store, string errorCode, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: another run replaced the snapshot in {Store} while run {RunId} was in progress; its snapshot is not written")]
    private partial void LogWriteConflict(string accountId, string store, string runId);
}

/// <summary>An account's changes and the store version its snapshot was read at (null: it had none).</summary>
public sealed record PendingSnapshot(AccountChanges Changes, string? Version);

/// <summary>What comparing an account with its history gave: its pending snapshot (null when history is off or the store could not be read) and a warning for its summary row.</summary>
public sealed record HistoryComparison(PendingSnapshot? Pending, AccountIssue? Warning)
{
    public static HistoryComparison Off { get; } = new(null, null);
}

/// <summary>What writing a run's snapshots gave.</summary>
/// <param name="Store"><c>Folder</c> or <c>Blob</c>; empty when history is off.</param>
/// <param name="Attempted">Snapshots the run tried to write.</param>
/// <param name="Saved">Snapshots written.</param>
/// <param name="Failures">The <see cref="KeyHistory.NotSavedCode"/> warning of each account whose snapshot could not be written, by account ID.</param>
public sealed record HistorySave(string Store, int Attempted, int Saved, IReadOnlyDictionary<string, AccountIssue> Failures)
{
    public static HistorySave Nothing { get; } = new("", 0, 0, new Dictionary<string, AccountIssue>());

    /// <summary>Snapshots were due and not one could be written: the change history is not kept at all.</summary>
    public bool NoneWritten => Attempted > 0 && Failures.Count == Attempted;

    /// <summary>The warning for the account's summary row, or null.</summary>
    public AccountIssue? WarningFor(string accountId) => Failures.GetValueOrDefault(accountId);
}
