using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.Benchmarks;

/// <summary>The three algorithms measured.</summary>
internal enum BenchmarkMode
{
    /// <summary>The seed's algorithm on our IAM client: sequential, one account at a time.</summary>
    Baseline,

    /// <summary>Our collector, live freshness (GetAccessKeyLastUsed per key).</summary>
    Live,

    /// <summary>Our collector, report freshness (last use from the credential report).</summary>
    Report,
}

/// <summary>
/// The fewest IAM calls each mode needs for one account, and from them the <b>rate-limit floor</b>: the shortest wall
/// time the per-account token buckets allow.
/// </summary>
/// <remarks>
/// Per account with N users, K user keys and W users holding at least one key:
/// <list type="bullet">
/// <item>baseline: ⌈N/100⌉ ListUsers (boto3's paginator sends no MaxItems; IAM pages by 100) + N ListAccessKeys + K GetAccessKeyLastUsed;</item>
/// <item>live: ⌈N/PageSize⌉ ListUsers + N ListAccessKeys + K GetAccessKeyLastUsed + 3 credential-report calls + 1 ListAccountAliases;</item>
/// <item>report: 3 credential-report calls + 1 ListAccountAliases + W ListAccessKeys.</item>
/// </list>
/// The 3 credential-report calls are GenerateCredentialReport (STARTED: the account has no report yet, as in a fresh
/// emulator), GenerateCredentialReport again (COMPLETE) and GetCredentialReport; with a report under 4 hours old IAM
/// answers COMPLETE at once and one call is saved. A bucket of capacity B refilled at R calls/s admits at most
/// B + R·t calls in t seconds, so an account needing C calls takes at least max(0, C − B) / R seconds. Accounts have
/// their own buckets and may run side by side, so the floor of a run is the largest of its accounts' floors.
/// </remarks>
internal static class CallModel
{
    /// <summary>IAM's default <c>MaxItems</c> for ListUsers.</summary>
    public const int IamDefaultPageSize = 100;

    public const int CredentialReportCalls = 3;

    public static int MinimumCalls(BenchmarkMode mode, EmulatorAccount account, int pageSize)
    {
        var users = account.Users.Count;
        var keys = account.Users.Sum(u => u.AccessKeys.Count);
        var usersWithKeys = account.Users.Count(u => u.AccessKeys.Count > 0);
        return mode switch
        {
            BenchmarkMode.Baseline => Pages(users, IamDefaultPageSize) + users + keys,
            BenchmarkMode.Live => Pages(users, pageSize) + users + keys + CredentialReportCalls + 1,
            BenchmarkMode.Report => CredentialReportCalls + 1 + usersWithKeys,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
    }

    /// <summary>max over accounts of max(0, C − B) / R.</summary>
    public static TimeSpan Floor(IEnumerable<int> minimumCallsPerAccount, double callsPerSecond, int burst) =>
        TimeSpan.FromSeconds(minimumCallsPerAccount.Select(calls => Math.Max(0, calls - burst) / callsPerSecond).DefaultIfEmpty(0).Max());

    private static int Pages(int items, int pageSize) => Math.Max(1, (items + pageSize - 1) / pageSize);
}
