using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.History;

/// <summary>Where and when the compared keys were seen: the account and the run.</summary>
public sealed record HistoryContext(string Partition, string AccountId, string? AccountAlias, string RunId, DateTimeOffset CollectedAt);

/// <summary>The events of one account and the snapshot to keep once its records are delivered.</summary>
public sealed record AccountChanges(IReadOnlyList<KeyEvent> Events, KeySnapshot Snapshot, bool IsBaseline);

/// <summary>
/// Compares an account's keys with its previous snapshot. Keys are matched by the hash of their ID, so a user rename
/// does not look like a new key.
/// <list type="bullet">
/// <item><c>KeyCreated</c> / <c>KeyDeleted</c>: a key present now and not before, or the other way round. Root keys
/// (identified by slot and creation time) are carried over, not deleted, when this run could not read the credential
/// report.</item>
/// <item><c>KeyActivated</c> / <c>KeyDeactivated</c>: its status changed.</item>
/// <item><c>RotationStuck</c>: the user has two active keys, the newer one was created at least
/// <c>RotationStuckDays</c> ago, and the older one is still in use: its last use is after the newer key's creation.
/// Emitted once per episode (per pair of keys): the snapshot remembers it on the older key, and it fires again only
/// when the condition cleared and came back, or for another pair. It is a state, not a change, so the first run
/// after the baseline reports pairs that were stuck already.</item>
/// </list>
/// No snapshot (the account's first run, or a snapshot of another format version) gives no events: this run becomes the baseline.
/// </summary>
public static class KeyEventDetector
{
    public static AccountChanges Compare(KeySnapshot? previous, ObservedKeys observed, HistoryContext context, int rotationStuckDays)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(context);
        var baseline = previous is null || previous.Version != KeySnapshot.CurrentVersion
            || previous.AccountId != context.AccountId || previous.Partition != context.Partition;
        // The stores hand over only snapshots that hold their invariants (one entry per key); the comparison still never
        // throws on a repeated key, in the snapshot or in what was observed: the first entry counts.
        var before = baseline ? [] : previous!.Keys.DistinctBy(k => k.Id, StringComparer.Ordinal).ToDictionary(k => k.Id, StringComparer.Ordinal);

        var now = observed.Keys.ToList();
        if (!observed.RootKeysKnown)
        {
            now.AddRange(before.Values.Where(k => k.RootKey));
        }

        var events = new List<KeyEvent>();
        var after = new List<SnapshotKey>(now.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in now)
        {
            if (!ids.Add(key.Id))
            {
                continue;
            }

            var old = before.GetValueOrDefault(key.Id);
            after.Add(key with { StuckReportedWith = old?.StuckReportedWith });
            if (baseline)
            {
                continue;
            }

            if (old is null)
            {
                events.Add(Event(KeyEventTypes.KeyCreated, null, key, context, previous!, $"Key created ({key.Status})."));
            }
            else if (old.Active != key.Active)
            {
                events.Add(key.Active
                    ? Event(KeyEventTypes.KeyActivated, old, key, context, previous!, "Key activated (was Inactive).")
                    : Event(KeyEventTypes.KeyDeactivated, old, key, context, previous!, "Key deactivated (was Active)."));
            }
        }

        if (!baseline)
        {
            events.AddRange(before.Values.Where(k => !ids.Contains(k.Id))
                .Select(k => Event(KeyEventTypes.KeyDeleted, k, null, context, previous!, $"Key deleted (was {k.Status}).")));
        }

        var snapshotKeys = MarkRotationStuck(after, baseline ? null : previous, context, rotationStuckDays, events);
        var snapshot = new KeySnapshot(KeySnapshot.CurrentVersion, context.Partition, context.AccountId, context.RunId, context.CollectedAt, snapshotKeys);
        return new AccountChanges(events, snapshot, baseline);
    }

    /// <summary>The older key of a stuck pair, or null: two active keys, the newer one old enough, the older one used after the newer one was created.</summary>
    public static (SnapshotKey Older, SnapshotKey Newer)? StuckPair(IEnumerable<SnapshotKey> keysOfUser, DateTimeOffset now, int rotationStuckDays)
    {
        var active = keysOfUser.Where(k => k.Active).OrderBy(k => k.CreatedAt).ThenBy(k => k.Slot).ToList();
        if (active.Count != 2 || active[1].CreatedAt is not { } newerCreated)
        {
            return null;
        }

        var (older, newer) = (active[0], active[1]);
        var oldEnough = now - newerCreated >= TimeSpan.FromDays(rotationStuckDays);
        var olderStillUsed = older.LastUsedAt is { } lastUsed && lastUsed > newerCreated;
        return oldEnough && olderStillUsed ? (older, newer) : null;
    }

    private static List<SnapshotKey> MarkRotationStuck(
        List<SnapshotKey> keys, KeySnapshot? previous, HistoryContext context, int rotationStuckDays, List<KeyEvent> events)
    {
        var stuck = keys.GroupBy(k => k.UserArn, StringComparer.Ordinal)
            .Select(user => StuckPair(user, context.CollectedAt, rotationStuckDays))
            .OfType<(SnapshotKey Older, SnapshotKey Newer)>()
            .ToDictionary(p => p.Older.Id, p => p.Newer, StringComparer.Ordinal);

        var result = new List<SnapshotKey>(keys.Count);
        foreach (var key in keys)
        {
            if (!stuck.TryGetValue(key.Id, out var newer))
            {
                result.Add(key with { StuckReportedWith = null });
                continue;
            }

            if (previous is not null && key.StuckReportedWith != newer.Id)
            {
                var old = previous.Keys.FirstOrDefault(k => k.Id == key.Id) ?? key;
                events.Add(Event(KeyEventTypes.RotationStuck, old, key, context, previous, RotationStuckDetail(key, newer, context.CollectedAt)) with
                {
                    NewerAccessKeyIdHash = newer.AccessKeyIdHash,
                    NewerKeyCreatedAt = newer.CreatedAt,
                });
            }

            // The baseline remembers nothing, so a pair stuck already is reported by the first comparison.
            result.Add(key with { StuckReportedWith = previous is null ? null : newer.Id });
        }

        return result;
    }

    private static string RotationStuckDetail(SnapshotKey older, SnapshotKey newer, DateTimeOffset now) =>
        $"Rotation stuck: the newer key is {(int)(now - newer.CreatedAt!.Value).TotalDays} days old and the older key was still used on {older.LastUsedAt:yyyy-MM-dd}.";

    private static KeyEvent Event(string type, SnapshotKey? before, SnapshotKey? after, HistoryContext context, KeySnapshot previous, string detail)
    {
        var key = after ?? before!;
        return new KeyEvent
        {
            RunId = context.RunId,
            CollectedAt = context.CollectedAt,
            PreviousRunId = previous.RunId,
            PreviousCollectedAt = previous.CollectedAt,
            EventType = type,
            Partition = context.Partition,
            AccountId = context.AccountId,
            AccountAlias = context.AccountAlias,
            UserName = key.UserName,
            UserArn = key.UserArn,
            AccessKeyIdHash = key.AccessKeyIdHash,
            KeySlot = key.Slot,
            RootKey = key.RootKey,
            StatusBefore = before?.Status,
            StatusAfter = after?.Status,
            KeyCreatedAt = key.CreatedAt,
            LastUsedAtBefore = before?.LastUsedAt,
            LastUsedAtAfter = after?.LastUsedAt,
            Detail = detail,
        };
    }
}
