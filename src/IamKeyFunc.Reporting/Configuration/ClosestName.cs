namespace IamKeyFunc.Reporting.Configuration;

/// <summary>The known name a mistyped one most likely meant: <c>RoleArnn</c> → <c>RoleArn</c>, <c>MemberRoleNmae</c> → <c>MemberRoleName</c>.</summary>
internal static class ClosestName
{
    /// <summary>
    /// The known name nearest to <paramref name="typed"/> (edits, ignoring case, a swap of two neighbours counting as
    /// one), when it is near enough to be a typo: a third of the longer name (at least 2), two thirds of the typed name
    /// written as the known one starts (<c>Policy</c> → <c>Policies</c>), or one is the start of the other.
    /// </summary>
    public static string? For(string typed, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(typed);
        if (typed.Length > 128)
        {
            return null; // not a typo of a setting name; and the distance costs the product of the lengths
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var distance = Distance(typed.ToUpperInvariant(), name.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        if (best is null)
        {
            return null;
        }

        var near = bestDistance <= Math.Max(2, Math.Max(typed.Length, best.Length) / 3)
            || CommonPrefix(typed, best) >= Math.Max(4, (typed.Length * 2 + 2) / 3)
            || best.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
            || (typed.StartsWith(best, StringComparison.OrdinalIgnoreCase) && best.Length >= 3);
        return near ? best : null;
    }

    private static int CommonPrefix(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && char.ToUpperInvariant(a[n]) == char.ToUpperInvariant(b[n]))
        {
            n++;
        }

        return n;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
