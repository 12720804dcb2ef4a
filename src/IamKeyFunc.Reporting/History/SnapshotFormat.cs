using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.History;

/// <summary>
/// Names, encodes and checks snapshots the same way in every store. A snapshot's name is
/// <c>{partition}/{accountId}.json</c>, built only from a known partition and a 12-ASCII-digit account ID, so no name can
/// leave the store's folder or container. A snapshot read back is trusted no more than an AWS answer: it must be a
/// snapshot of this format version for the account asked for, and hold every invariant the writer keeps (one entry per
/// key, key IDs of the right shape, users of that account), or it is not used.
/// </summary>
public static partial class SnapshotFormat
{
    /// <summary>The largest snapshot read: about 50 times the largest account IAM allows (5,000 users with 2 keys each).</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>At most 5,000 users per account (IAM quota) with 2 keys each, and the root user's 2.</summary>
    public const int MaxKeys = (5000 * 2) + 2;

    private const int MaxUserNameLength = 128;
    private const int MaxArnLength = 2048;

    /// <summary>The snapshot's name in a store, <c>{partition}/{accountId}.json</c>.</summary>
    /// <exception cref="SnapshotStoreException">The partition is not a known one, or the account ID is not 12 ASCII digits: no name is built from it.</exception>
    public static string Name(string partition, string accountId)
    {
        if (!AwsPartition.All.Any(p => string.Equals(p.Name, partition, StringComparison.Ordinal)))
        {
            throw new SnapshotStoreException(
                $"No snapshot name is built from partition {Quote(partition)}: expected one of {string.Join(", ", AwsPartition.All.Select(p => p.Name))}.");
        }

        if (!AccountId.IsValid(accountId))
        {
            throw new SnapshotStoreException($"No snapshot name is built from account ID {Quote(accountId)}: an account ID is 12 ASCII digits.");
        }

        return $"{partition}/{accountId}.json";
    }

    /// <summary>The name a snapshot that cannot be used is moved to, next to it: <c>{name}.unreadable-{UTC time}-{random}</c>.</summary>
    public static string SetAsideName(string name, DateTimeOffset now) => string.Create(
        CultureInfo.InvariantCulture, $"{name}.unreadable-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..8]}");

    public static byte[] Serialize(KeySnapshot snapshot) => JsonSerializer.SerializeToUtf8Bytes(snapshot, HistoryJsonContext.Default.KeySnapshot);

    /// <summary>
    /// The snapshot in <paramref name="utf8"/>, when it is one for <paramref name="partition"/> and
    /// <paramref name="accountId"/> that holds every invariant; otherwise why not (and a null snapshot).
    /// </summary>
    public static (KeySnapshot? Snapshot, string? Problem) Read(ReadOnlySpan<byte> utf8, string partition, string accountId)
    {
        if (utf8.Length > MaxBytes)
        {
            return (null, TooLarge(utf8.Length));
        }

        KeySnapshot? snapshot;
        try
        {
            snapshot = JsonSerializer.Deserialize(utf8, HistoryJsonContext.Default.KeySnapshot);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException or OverflowException)
        {
            return (null, $"it is not a readable snapshot ({Describe(ex)})");
        }

        if (snapshot is null)
        {
            return (null, "it is not a readable snapshot (JSON null)");
        }

        var problem = Check(snapshot, partition, accountId);
        return problem is null ? (snapshot, null) : (null, problem);
    }

    /// <summary>The message for a snapshot of <paramref name="bytes"/> bytes, over <see cref="MaxBytes"/>.</summary>
    public static string TooLarge(long bytes) => string.Create(CultureInfo.InvariantCulture, $"it is {bytes} bytes, over the {MaxBytes} bytes a snapshot may have");

    /// <summary>The first invariant <paramref name="snapshot"/> breaks for <paramref name="partition"/>/<paramref name="accountId"/>; null when it holds them all.</summary>
    public static string? Check(KeySnapshot snapshot, string partition, string accountId)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Version != KeySnapshot.CurrentVersion)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it has format version {snapshot.Version}; this version reads {KeySnapshot.CurrentVersion}");
        }

        if (!string.Equals(snapshot.Partition, partition, StringComparison.Ordinal) || !string.Equals(snapshot.AccountId, accountId, StringComparison.Ordinal))
        {
            return $"it is the snapshot of {Quote(snapshot.Partition)}/{Quote(snapshot.AccountId)}, not of {partition}/{accountId}";
        }

        if (snapshot.RunId is null || !RunIdShape().IsMatch(snapshot.RunId))
        {
            return $"its run ID {Quote(snapshot.RunId)} is not a run ID";
        }

        if (snapshot.CollectedAt == default)
        {
            return "it has no collection time";
        }

        if (snapshot.Keys is null)
        {
            return "it has no key list";
        }

        if (snapshot.Keys.Count > MaxKeys)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it lists {snapshot.Keys.Count} keys, more than an account can have ({MaxKeys})");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var arnPrefix = $"arn:{partition}:iam::{accountId}:";
        for (var i = 0; i < snapshot.Keys.Count; i++)
        {
            if (CheckKey(snapshot.Keys[i], arnPrefix) is { } keyProblem)
            {
                return string.Create(CultureInfo.InvariantCulture, $"key {i + 1}: {keyProblem}");
            }

            if (!ids.Add(snapshot.Keys[i].Id))
            {
                return string.Create(CultureInfo.InvariantCulture, $"key {i + 1} ({Quote(snapshot.Keys[i].UserName)}, slot {snapshot.Keys[i].Slot}) is listed twice");
            }
        }

        foreach (var key in snapshot.Keys)
        {
            if (key.StuckReportedWith is { } newer && (!ids.Contains(newer) || newer == key.Id))
            {
                return $"the key of {Quote(key.UserName)} in slot {key.Slot.ToString(CultureInfo.InvariantCulture)} refers to a newer key that is not in the snapshot";
            }
        }

        return null;
    }

    private static string? CheckKey(SnapshotKey? key, string arnPrefix)
    {
        if (key is null)
        {
            return "it is null";
        }

        if (key.Slot is < 1 or > 2)
        {
            return string.Create(CultureInfo.InvariantCulture, $"slot {key.Slot} is not 1 or 2");
        }

        if (key.RootKey ? key.Id is null || !RootIdShape().IsMatch(key.Id) || key.Id[5] - '0' != key.Slot : key.Id is null || !UserKeyIdShape().IsMatch(key.Id))
        {
            return $"its ID {Quote(key.Id)} is not {(key.RootKey ? "a root key's (root:{slot}:{created})" : "a key ID's SHA-256 (64 lower-case hex digits)")}";
        }

        if (string.IsNullOrEmpty(key.UserName) || key.UserName.Length > MaxUserNameLength || key.UserName.Any(char.IsControl))
        {
            return $"its user name {Quote(key.UserName)} is not a user name";
        }

        if (key.UserArn is null || key.UserArn.Length > MaxArnLength || !key.UserArn.StartsWith(arnPrefix, StringComparison.Ordinal) || key.UserArn.Any(char.IsControl))
        {
            return $"its user ARN {Quote(key.UserArn)} is not an ARN of this account";
        }

        if (key.StuckReportedWith is { } newer && !UserKeyIdShape().IsMatch(newer))
        {
            return "its newer key is not a key ID's SHA-256";
        }

        return null;
    }

    /// <summary>A value from a file, quoted for a message: at most 64 characters, control characters escaped.</summary>
    internal static string Quote(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var text = new StringBuilder("'");
        foreach (var c in value.Length > 64 ? value[..64] : value)
        {
            text.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? $"\\u{(int)c:x4}" : c);
        }

        return text.Append(value.Length > 64 ? "…'" : "'").ToString();
    }

    private static string Describe(Exception ex) => ex is JsonException { LineNumber: { } line, BytePositionInLine: { } position }
        ? string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {line + 1}, byte {position + 1}")
        : $"{ex.GetType().Name}: {Quote(ex.Message)}";

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex UserKeyIdShape();

    [GeneratedRegex(@"^root:[12]:([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z|unknown)\z")]
    private static partial Regex RootIdShape();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}\z")]
    private static partial Regex RunIdShape();
}
