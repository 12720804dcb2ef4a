using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// Names, on the run's summary rows, each exemption that matched no key: on the row of the account it names, or, for one
/// that names only a key, on the first collected account's row when every account was collected (only then can it be
/// known to match nothing). Both engines call it once, with every account's row and matches.
/// </summary>
public static class UnmatchedExemptionReport
{
    /// <param name="summaries">Every account row of the run (skipped ones too).</param>
    /// <param name="matched">The exemptions (by <see cref="Exemption.Id"/>) that matched a key of a succeeded account.</param>
    public static IReadOnlyList<RunSummary> Annotate(ExemptionSet exemptions, IReadOnlyList<RunSummary> summaries, IReadOnlySet<int> matched)
    {
        ArgumentNullException.ThrowIfNull(exemptions);
        ArgumentNullException.ThrowIfNull(summaries);
        if (exemptions.All.Count == 0)
        {
            return summaries;
        }

        var collected = summaries.Where(s => s.Is(AccountStatus.Succeeded)).Select(s => s.AccountId).ToHashSet(StringComparer.Ordinal);
        var allCollected = summaries.All(s => s.Is(AccountStatus.Succeeded));
        var unmatched = exemptions.Unmatched(matched, collected, allCollected);
        if (unmatched.Count == 0)
        {
            return summaries;
        }

        var first = collected.Order(StringComparer.Ordinal).FirstOrDefault();
        return [.. summaries.Select(s =>
        {
            var names = unmatched.Where(e => e.AccountId == s.AccountId || (e.AccountId is null && s.AccountId == first)).Select(e => e.Label).ToList();
            return names.Count == 0 ? s : s with { UnmatchedExemptions = string.Join(',', names) };
        })];
    }
}
