using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// The job's view of the change history: compares an account's keys with the snapshot in the store
/// (<see cref="CompareAsync"/>), and keeps the new snapshots once the run's records were delivered
/// (<see cref="SaveAsync"/>). A store that cannot be read costs the account its events for this run, never its
/// records: it keeps its old snapshot, so the changes are reported by the next run that can read it.
/// </summary>
public partial class KeyHistory
{
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

    /// <summary>The account's events against its stored snapshot; null when history is off or the store failed (logged).</summary>
    public virtual async Task<PendingSnapshot?> CompareAsync(HistoryContext context, ObservedKeys observed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_store is null)
        {
            return null;
        }

        StoredSnapshot? stored;
        try
        {
            stored = await _store.ReadAsync(context.Partition, context.AccountId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var issue = SafeError.From(ex);
            LogReadFailed(context.AccountId, _store.Name, issue.Code, issue.Message);
            return null;
        }

        var changes = KeyEventDetector.Compare(stored?.Snapshot, observed, context, _options.RotationStuckDays);
        return new PendingSnapshot(changes, stored?.Version);
    }

    /// <summary>Writes each snapshot (conditionally on the version read); returns how many were written. Failures are logged, never thrown.</summary>
    public virtual async Task<int> SaveAsync(IReadOnlyList<PendingSnapshot> pending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (_store is null)
        {
            return 0;
        }

        var saved = 0;
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
            }
        }

        return saved;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: snapshot store {Store} could not be read ({ErrorCode}: {ErrorMessage}); no events this run, the old snapshot is kept")]
    private partial void LogReadFailed(string accountId, string store, string errorCode, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: snapshot store {Store} could not be written ({ErrorCode}: {ErrorMessage}); the next run compares with the old snapshot again")]
    private partial void LogWriteFailed(string accountId, string store, string errorCode, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: another run replaced the snapshot in {Store} while run {RunId} was in progress; its snapshot is not written")]
    private partial void LogWriteConflict(string accountId, string store, string runId);
}

/// <summary>An account's changes and the store version its snapshot was read at (null: it had none).</summary>
public sealed record PendingSnapshot(AccountChanges Changes, string? Version);
