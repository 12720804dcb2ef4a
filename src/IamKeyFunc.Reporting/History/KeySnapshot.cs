using System.Text.Json.Serialization;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// What an account's keys looked like after a run whose records were delivered: the state the next run compares with.
/// Small on purpose (about 300 bytes per key) and free of key IDs: keys are identified by the SHA-256 of their ID.
/// </summary>
/// <param name="Version">Format version; a snapshot of another version is ignored (the account gets a new baseline).</param>
/// <param name="Partition">The account's partition.</param>
/// <param name="AccountId">The account.</param>
/// <param name="RunId">The run that took it.</param>
/// <param name="CollectedAt">When that run started.</param>
/// <param name="Keys">Every key of the account, root keys included.</param>
public sealed record KeySnapshot(int Version, string Partition, string AccountId, string RunId, DateTimeOffset CollectedAt, IReadOnlyList<SnapshotKey> Keys)
{
    public const int CurrentVersion = 1;
}

/// <summary>One key in a snapshot.</summary>
/// <param name="Id">The SHA-256 (lowercase hex) of the key ID, or <c>root:{slot}:{created}</c> for a root key (whose ID a role cannot see).</param>
/// <param name="UserName">IAM user name, or <c>&lt;root_account&gt;</c>.</param>
/// <param name="UserArn">The user's ARN.</param>
/// <param name="Slot">1 or 2.</param>
/// <param name="Active">Status <c>Active</c>.</param>
/// <param name="CreatedAt">Key creation time.</param>
/// <param name="LastUsedAt">Last use, null when never used.</param>
/// <param name="RootKey">A root user key.</param>
/// <param name="StuckReportedWith">Set on a user's older key once <c>RotationStuck</c> was emitted for it: the <see cref="Id"/> of the newer key of that episode.</param>
public sealed record SnapshotKey(
    string Id,
    string UserName,
    string UserArn,
    int Slot,
    bool Active,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastUsedAt,
    bool RootKey = false,
    string? StuckReportedWith = null)
{
    public string Status => Active ? "Active" : "Inactive";

    /// <summary>The hash that events carry; null for root keys.</summary>
    public string? AccessKeyIdHash => RootKey ? null : Id;

    /// <summary>The snapshot identity of a root key: its slot and creation (rotation) time.</summary>
    public static string RootId(int slot, DateTimeOffset? createdAt) =>
        $"root:{slot}:{createdAt?.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}";
}

/// <summary>The keys one run saw in an account, and whether the credential report (the only source of root keys) was read.</summary>
/// <param name="Keys">Every key seen, root keys included when <paramref name="RootKeysKnown"/>.</param>
/// <param name="RootKeysKnown">False when the credential report could not be had: root keys are then carried over from the previous snapshot, not reported deleted.</param>
public sealed record ObservedKeys(IReadOnlyList<SnapshotKey> Keys, bool RootKeysKnown)
{
    /// <summary>The collected keys as the history compares them: user keys by the SHA-256 of their ID, root keys by slot and creation time.</summary>
    public static ObservedKeys From(IReadOnlyList<CollectedKey> keys, bool rootKeysKnown) => new(
        [.. keys.Select(key => new SnapshotKey(
            key.IsRoot ? SnapshotKey.RootId(key.Slot, key.CreatedAt) : KeyIdFormatter.Sha256Hex(key.AccessKeyId!),
            key.UserName, key.UserArn, key.Slot, key.Active, key.CreatedAt, key.LastUsed?.At, key.IsRoot))],
        rootKeysKnown);
}

/// <summary>Source-generated JSON of the snapshots (the stores' file format).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(KeySnapshot))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;
