using IamKeyFunc.Reporting.Errors;
namespace IamKeyFunc.Reporting.Collection;

/// <summary>Identifies the run an account is collected for: every record carries both values.</summary>
/// <param name="RunId">The run identifier, <c>yyyyMMddTHHmmssZ-xxxxxxxx</c>.</param>
/// <param name="CollectedAt">When the run started; ages and findings are measured from this instant.</param>
public sealed record CollectionRun(string RunId, DateTimeOffset CollectedAt);

/// <summary>What collecting one account cost.</summary>
/// <param name="UsersScanned">IAM users looked at (live: every user; report: every report row but the root's).</param>
/// <param name="ApiCalls">IAM requests sent, retries included.</param>
/// <param name="ThrottledRetries">Requests retried because IAM throttled.</param>
public sealed record AccountCounts(int UsersScanned, int ApiCalls, int ThrottledRetries)
{
    public static AccountCounts None { get; } = new(0, 0, 0);
}

/// <summary>The inventory of one account: its keys as collected facts (no findings yet).</summary>
/// <param name="AccountAlias">The account alias, when the account has one.</param>
/// <param name="Keys">One entry per access key, root keys included, users first by name and slot.</param>
/// <param name="Counts">Users, calls and throttling.</param>
/// <param name="Warning">Set when the account was collected with less context than asked for, e.g. without the credential report.</param>
/// <param name="ReportGeneratedAt">When IAM generated the credential report used, if one was.</param>
/// <param name="ReportAgeHours">How old that report was when read.</param>
/// <param name="Context">Root user state, authorization details and user tags (see <c>AccountCollector.Context.cs</c>).</param>
public sealed record AccountInventory(
    string? AccountAlias,
    IReadOnlyList<CollectedKey> Keys,
    AccountCounts Counts,
    AccountIssue? Warning = null,
    DateTimeOffset? ReportGeneratedAt = null,
    double? ReportAgeHours = null,
    AccountContextFacts? Context = null)
{
    /// <summary>
    /// The root user's keys are known: the credential report was read and its <c>&lt;root_account&gt;</c> row could be.
    /// When false, the history carries the root keys over from the previous snapshot instead of reporting them deleted.
    /// </summary>
    public bool RootKeysKnown { get; init; } = ReportGeneratedAt is not null;
}

/// <summary>Collecting an account failed; carries what was spent before it failed. The cause is the inner exception.</summary>
public sealed class AccountCollectionException : Exception
{
    public AccountCollectionException(string accountId, AccountCounts counts, string? accountAlias, Exception innerException)
        : base($"Collecting account {accountId} failed: {innerException?.Message}", innerException)
    {
        Counts = counts;
        AccountAlias = accountAlias;
    }

    public AccountCollectionException()
    {
        Counts = AccountCounts.None;
    }

    public AccountCollectionException(string message)
        : base(message)
    {
        Counts = AccountCounts.None;
    }

    public AccountCollectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Counts = AccountCounts.None;
    }

    public AccountCounts Counts { get; }

    public string? AccountAlias { get; }
}
