using System.Text;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// The one format of an OU path, as records (<c>OrganizationalUnitPath</c>), policies and the key-created alert write it:
/// the names from the root down, joined by <c>/</c>, with <c>\</c> and <c>/</c> inside a name written <c>\\</c> and
/// <c>\/</c>. OU names may contain <c>/</c>, so without the escape an OU <c>Prod/Payments</c> at the root and an OU
/// <c>Payments</c> under <c>Prod</c> would have the same path. With it, a path is at or under another exactly when it
/// equals it or starts with it followed by <c>/</c>: a plain string comparison, the same in C# and in KQL.
/// </summary>
public static class OuPath
{
    public const char Separator = '/';

    public const char Escape = '\\';

    /// <summary>One name as it appears in a path: <c>Prod/Payments</c> → <c>Prod\/Payments</c>.</summary>
    public static string EscapeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.AsSpan().IndexOfAny(Separator, Escape) < 0)
        {
            return name;
        }

        var escaped = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (c is Separator or Escape)
            {
                escaped.Append(Escape);
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>The path of a child: its parent's path, <c>/</c> and its escaped name.</summary>
    public static string Child(string parentPath, string name) => $"{parentPath}{Separator}{EscapeName(name)}";

    /// <summary>
    /// Whether <paramref name="path"/> is the OU <paramref name="prefix"/> or below it: <c>Root/Workloads</c> covers
    /// <c>Root/Workloads</c> and <c>Root/Workloads/Prod</c>, not <c>Root/WorkloadsOld</c> or <c>Root/Workloads\/Prod</c>.
    /// Ordinal: OU names are case-sensitive. Both must be well-formed paths (<see cref="TryParse"/>).
    /// </summary>
    public static bool IsAtOrUnder(string? path, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return path is not null && path.StartsWith(prefix, StringComparison.Ordinal)
            && (path.Length == prefix.Length || path[prefix.Length] == Separator);
    }

    /// <summary>
    /// Reads a path written by hand (a policy's <c>OrganizationalUnitPath</c>) into its names; false with the reason when
    /// it is not well-formed: empty, an empty name (<c>Root//Prod</c>, a leading or trailing <c>/</c>), or a <c>\</c>
    /// that escapes neither <c>/</c> nor <c>\</c>.
    /// </summary>
    public static bool TryParse(string path, out IReadOnlyList<string> names, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parsed = new List<string>();
        var name = new StringBuilder();
        names = parsed;
        error = null;
        if (path.Length == 0)
        {
            error = "it is empty";
            return false;
        }

        for (var i = 0; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == Separator)
            {
                if (name.Length == 0)
                {
                    error = i == path.Length
                        ? "it ends with '/' (a path already covers the OUs below it; write it without the '/')"
                        : $"it has an empty name at position {i + 1} ('/' at the start, or '//')";
                    return false;
                }

                parsed.Add(name.ToString());
                name.Clear();
            }
            else if (path[i] == Escape)
            {
                if (i + 1 == path.Length || path[i + 1] is not (Separator or Escape))
                {
                    error = $"the '\\' at position {i + 1} escapes neither '/' nor '\\' (inside a name, write '/' as '\\/' and '\\' as '\\\\')";
                    return false;
                }

                name.Append(path[++i]);
            }
            else
            {
                name.Append(path[i]);
            }
        }

        return true;
    }
}
