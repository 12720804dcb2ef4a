using System.Globalization;

namespace IamKeyFunc.Cli.Rendering;

/// <summary>A number with its noun in the right number: <c>1 key</c>, <c>2 keys</c>, <c>0 run summaries</c>.</summary>
internal static class Counted
{
    public static string Of(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    /// <summary>The regular plural: the noun and an <c>s</c>.</summary>
    public static string Of(long count, string one) => Of(count, one, one + "s");
}
