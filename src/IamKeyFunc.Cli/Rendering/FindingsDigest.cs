using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>
/// What the findings table shows, gathered while the records stream past: the <see cref="Limit"/> riskiest keys that
/// have findings (riskiest first, see <see cref="Riskiest"/>) and the counts behind the tally line. Memory stays at
/// <see cref="Limit"/> records however large the organization.
/// </summary>
internal sealed class FindingsDigest(int limit)
{
    private static readonly string[] SeverityOrder = ["Critical", "High", "Medium", "Low", "None"];
    private readonly Lock _gate = new();
    private readonly List<KeyRecord> _top = [];

    public int Limit { get; } = limit >= 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit cannot be negative.");

    public int Keys { get; private set; }

    public int WithFindings { get; private set; }

    public int RotationOverdue { get; private set; }

    public int Unused { get; private set; }

    public int NeverUsedPastGrace { get; private set; }

    public int RootKeys { get; private set; }

    public int TwoActiveKeys { get; private set; }

    public int DueSoon { get; private set; }

    public int Exempt { get; private set; }

    /// <summary>Riskiest first: <c>RiskScore</c>, then severity, then the fewest days until (or most since) the breach, then age.</summary>
    public static IComparer<KeyRecord> Riskiest { get; } = Comparer<KeyRecord>.Create((a, b) =>
    {
        var order = b.RiskScore.CompareTo(a.RiskScore);
        if (order == 0)
        {
            order = Rank(a.Severity).CompareTo(Rank(b.Severity));
        }

        if (order == 0)
        {
            order = (a.DaysUntilBreach ?? int.MaxValue).CompareTo(b.DaysUntilBreach ?? int.MaxValue);
        }

        if (order == 0)
        {
            order = (b.KeyAgeDays ?? 0).CompareTo(a.KeyAgeDays ?? 0);
        }

        return order != 0 ? order : string.CompareOrdinal(a.AccountId + a.UserName, b.AccountId + b.UserName);
    });

    /// <summary>The riskiest keys with findings, riskiest first, at most <see cref="Limit"/>.</summary>
    public IReadOnlyList<KeyRecord> Top
    {
        get
        {
            lock (_gate)
            {
                Trim();
                return [.. _top];
            }
        }
    }

    public static FindingsDigest Of(IEnumerable<KeyRecord> records, int limit = int.MaxValue)
    {
        var digest = new FindingsDigest(limit);
        digest.Add(records);
        return digest;
    }

    public void Add(IEnumerable<KeyRecord> records)
    {
        lock (_gate)
        {
            foreach (var record in records)
            {
                Keys++;
                RotationOverdue += record.RotationOverdue ? 1 : 0;
                Unused += record.Unused ? 1 : 0;
                NeverUsedPastGrace += record.NeverUsedPastGrace ? 1 : 0;
                RootKeys += record.RootKey ? 1 : 0;
                TwoActiveKeys += record.TwoActiveKeys ? 1 : 0;
                DueSoon += record.DueSoon ? 1 : 0;
                Exempt += record.Exempt ? 1 : 0;
                if (record.Findings.Length > 0)
                {
                    WithFindings++;
                    if (Limit > 0)
                    {
                        _top.Add(record);
                    }
                }
            }

            if (_top.Count > Math.Max(2L * Limit, 64))
            {
                Trim();
            }
        }
    }

    private void Trim()
    {
        _top.Sort(Riskiest);
        if (_top.Count > Limit)
        {
            _top.RemoveRange(Limit, _top.Count - Limit);
        }
    }

    private static int Rank(string severity) => Array.IndexOf(SeverityOrder, severity) is var i and >= 0 ? i : SeverityOrder.Length;
}
