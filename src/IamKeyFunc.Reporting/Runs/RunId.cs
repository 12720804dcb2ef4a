using System.Globalization;
using System.Security.Cryptography;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>
/// Run identifiers, <c>yyyyMMddTHHmmssZ-xxxxxxxx</c>: the run's UTC start to the second, then 8 random lowercase hex
/// digits so runs started in the same second differ. Sorts by start time; not GUID-shaped (Data Collector would type it <c>_g</c>).
/// </summary>
public static class RunId
{
    public const string Pattern = @"^\d{8}T\d{6}Z-[0-9a-f]{8}$";

    public static string Create(DateTimeOffset startedAt) => string.Create(
        CultureInfo.InvariantCulture,
        $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
}
