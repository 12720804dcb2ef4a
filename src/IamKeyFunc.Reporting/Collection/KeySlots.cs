using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Reporting.Collection;

/// <summary>
/// Which credential-report slot (<c>access_key_1</c> or <c>_2</c>) an access key occupies. IAM fills the slots in
/// creation order, so slot 1 is the older key; both freshness modes number keys that way.
/// </summary>
internal static class KeySlots
{
    /// <summary>Live mode: slots by creation time (then key ID, for keys created in the same second).</summary>
    public static IReadOnlyList<(AccessKeyMetadata Key, int Slot)> ByCreation(IEnumerable<AccessKeyMetadata> keys) =>
        [.. InCreationOrder(keys).Select((key, index) => (key, index + 1))];

    /// <summary>
    /// Report mode: each key goes to the slot whose <c>last_rotated</c> equals its <c>CreateDate</c> (to the second).
    /// Keys left over take the remaining slots in creation order; a remaining slot lends its last-use data only when its
    /// <c>last_rotated</c> is <c>N/A</c> (an inactive key), because a slot with another date belonged to a key that is
    /// gone (rotated after the report was generated).
    /// </summary>
    public static IReadOnlyList<(AccessKeyMetadata Key, int Slot, CredentialReportAccessKey? Report)> Match(
        IEnumerable<AccessKeyMetadata> keys, CredentialReportRow row)
    {
        var free = row.AccessKeys.ToList();
        var matched = new List<(AccessKeyMetadata Key, int Slot, CredentialReportAccessKey? Report)>();
        var unmatched = new List<AccessKeyMetadata>();
        foreach (var key in InCreationOrder(keys))
        {
            var slot = free.FirstOrDefault(s => SameSecond(s.LastRotated, key.CreateDate));
            if (slot is null)
            {
                unmatched.Add(key);
                continue;
            }

            free.Remove(slot);
            matched.Add((key, slot.Slot, slot));
        }

        var nextSlot = row.AccessKeys.Count;
        foreach (var key in unmatched)
        {
            var slot = free.Count > 0 ? free[0] : null;
            if (slot is not null)
            {
                free.RemoveAt(0);
            }

            matched.Add((key, slot?.Slot ?? ++nextSlot, slot is { LastRotated: null } ? slot : null));
        }

        return [.. matched.OrderBy(m => m.Slot)];
    }

    private static IOrderedEnumerable<AccessKeyMetadata> InCreationOrder(IEnumerable<AccessKeyMetadata> keys) =>
        keys.OrderBy(k => k.CreateDate ?? DateTimeOffset.MaxValue).ThenBy(k => k.AccessKeyId, StringComparer.Ordinal);

    private static bool SameSecond(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y && x.UtcTicks / TimeSpan.TicksPerSecond == y.UtcTicks / TimeSpan.TicksPerSecond;
}
