using System.Globalization;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Testing.Aws;

/// <summary>One access key as a collector (ours, or the benchmark's baseline) reported it, reduced to what is compared with the emulator's ground truth.</summary>
public sealed record ObservedKey(
    string AccountId,
    string UserName,
    string? AccessKeyId,
    bool IsRoot,
    int Slot,
    string Status,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastUsedAt,
    string? LastUsedRegion,
    string? LastUsedService)
{
    public static ObservedKey From(KeyRecord record) => new(
        record.AccountId,
        record.UserName,
        record.AccessKeyId,
        record.UserName == ExpectedAccessKey.RootUserName,
        record.KeySlot,
        record.Status,
        record.KeyCreatedAt,
        record.LastUsedAt,
        record.LastUsedRegion,
        record.LastUsedService);
}

/// <summary>The outcome of comparing a record set with the ground truth.</summary>
public sealed record Verification(int Expected, int Observed, int Lost, int Duplicated, int Unexpected, int Mismatched, IReadOnlyList<string> Samples)
{
    public bool Passed => Lost == 0 && Duplicated == 0 && Unexpected == 0 && Mismatched == 0 && Expected == Observed;

    public string Describe() => Passed
        ? $"OK ({Observed} = {Expected})"
        : string.Create(CultureInfo.InvariantCulture, $"FAILED: {Observed} of {Expected}; {Lost} lost, {Duplicated} duplicated, {Unexpected} unexpected, {Mismatched} mismatched");
}

/// <summary>
/// The one oracle of the tests and the benchmark: checks a record set against <see cref="EmulatorScenario.ExpectedKeys()"/>: user keys are matched by account and
/// full key ID; root keys (the credential report does not disclose their IDs) by account and slot. Every expected key
/// must appear exactly once, nothing else may appear, and user name, slot (when the mode numbers slots), status, creation time and last use
/// (time, region, service) must equal the truth.
/// </summary>
public static class GroundTruth
{
    private const int MaxSamples = 5;

    /// <param name="includeRootKeys">False for the baseline, which (like the seed) never reads the credential report.</param>
    public static Verification Verify(IReadOnlyList<ExpectedAccessKey> truth, IEnumerable<ObservedKey> observed, bool includeRootKeys)
    {
        var expected = truth.Where(k => includeRootKeys || !k.IsRoot).ToDictionary(Identity);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var samples = new List<string>();
        int count = 0, duplicated = 0, unexpected = 0, mismatched = 0;
        foreach (var key in observed)
        {
            count++;
            var id = key.IsRoot ? $"{key.AccountId}/root/{key.Slot}" : $"{key.AccountId}/{key.AccessKeyId}";
            if (!seen.Add(id))
            {
                duplicated++;
                Sample(samples, $"duplicated {id}");
            }
            else if (!expected.TryGetValue(id, out var truthKey))
            {
                unexpected++;
                Sample(samples, $"unexpected {id}");
            }
            else if (Difference(truthKey, key) is { } difference)
            {
                mismatched++;
                Sample(samples, $"{id}: {difference}");
            }
        }

        var lost = expected.Keys.Count(id => !seen.Contains(id));
        foreach (var id in expected.Keys.Where(id => !seen.Contains(id)).Take(MaxSamples - samples.Count))
        {
            Sample(samples, $"lost {id}");
        }

        return new Verification(expected.Count, count, lost, duplicated, unexpected, mismatched, samples);
    }

    /// <summary>
    /// Proves the check can fail: a lost, a duplicated, an unexpected and a changed key must each be caught.
    /// Returns what went wrong, or null.
    /// </summary>
    public static string? SelfCheck(IReadOnlyList<ExpectedAccessKey> truth)
    {
        var keys = truth.Where(k => !k.IsRoot).Select(k => new ObservedKey(
            k.AccountId, k.UserName, k.AccessKeyId, false, k.KeySlot, k.Status, k.CreateDate, k.LastUsedDate, k.LastUsedRegion, k.LastUsedService)).ToList();
        if (keys.Count < 2)
        {
            return "the scenario has fewer than two user keys";
        }

        var cases = new (string Name, List<ObservedKey> Keys, Func<Verification, bool> Caught)[]
        {
            ("lost", keys.Skip(1).ToList(), v => v.Lost == 1),
            ("duplicated", [.. keys, keys[0]], v => v.Duplicated == 1),
            ("unexpected", [.. keys, keys[0] with { AccessKeyId = "AKIAFAKENOTINTRUTH01" }], v => v.Unexpected == 1),
            ("changed", [keys[0] with { Status = keys[0].Status == "Active" ? "Inactive" : "Active" }, .. keys.Skip(1)], v => v.Mismatched == 1),
        };
        if (!Verify(truth, keys, includeRootKeys: false).Passed)
        {
            return "the exact user-key set was rejected";
        }

        var missed = cases.Where(c => Verify(truth, c.Keys, includeRootKeys: false) is var v && (v.Passed || !c.Caught(v))).Select(c => c.Name).ToList();
        return missed.Count == 0 ? null : $"the check did not catch: {string.Join(", ", missed)}";
    }

    private static string Identity(ExpectedAccessKey key) =>
        key.IsRoot ? $"{key.AccountId}/root/{key.KeySlot}" : $"{key.AccountId}/{key.AccessKeyId}";

    private static string? Difference(ExpectedAccessKey truth, ObservedKey key)
    {
        if (truth.UserName != key.UserName)
        {
            return $"user {key.UserName}, expected {truth.UserName}";
        }

        if (key.Slot != 0 && truth.KeySlot != key.Slot)
        {
            return $"slot {key.Slot}, expected {truth.KeySlot}";
        }

        if (truth.Status != key.Status)
        {
            return $"status {key.Status}, expected {truth.Status}";
        }

        if (truth.CreateDate != key.CreatedAt)
        {
            return $"created {key.CreatedAt:O}, expected {truth.CreateDate:O}";
        }

        if (truth.LastUsedDate != key.LastUsedAt || truth.LastUsedRegion != key.LastUsedRegion
            || !string.Equals(truth.LastUsedService, key.LastUsedService, StringComparison.Ordinal))
        {
            return $"last use {key.LastUsedAt:O} {key.LastUsedRegion} {key.LastUsedService}, expected {truth.LastUsedDate:O} {truth.LastUsedRegion} {truth.LastUsedService}";
        }

        return null;
    }

    private static void Sample(List<string> samples, string text)
    {
        if (samples.Count < MaxSamples)
        {
            samples.Add(text);
        }
    }
}
