using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Accounts;

/// <summary>
/// The accounts of a run. <see cref="ResolveAsync"/> asks the <see cref="IAccountSource"/> for every account it knows
/// (<see cref="StaticAccountSource"/>: <c>IamKey:Aws:RoleArn</c>, <c>MemberAccountIds</c>, <c>MemberRoleArns</c>; or
/// <see cref="OrganizationsAccountSource"/>, once per call), then narrows them to the requested ones. Problems come back in <see cref="AccountSelection.Errors"/>, never as exceptions.
/// </summary>
public class AccountDirectory(IAccountSource source)
{
    /// <summary>
    /// The run's accounts: all of them, or only <paramref name="requested"/> (trimmed, in the source's order). A requested
    /// account that a discovery filter left out is collected anyway (asking for it is as explicit as listing it); one
    /// that cannot be collected (not ACTIVE) stays skipped with its reason.
    /// </summary>
    public virtual async Task<AccountSelection> ResolveAsync(IReadOnlyCollection<string>? requested, CancellationToken cancellationToken = default)
    {
        var listing = await source.ListAsync(cancellationToken).ConfigureAwait(false);
        if (listing.Failure is not null || listing.Errors.Count > 0)
        {
            return new AccountSelection(listing.Accounts, [], listing.Errors) { Failure = listing.Failure, Placements = listing.Placements };
        }

        var all = listing.Accounts;
        if (requested is null || requested.Count == 0)
        {
            return new AccountSelection(all, [.. all.Where(s => !listing.Exclusions.ContainsKey(s.AccountId))], [])
            {
                Placements = listing.Placements,
                Exclusions = listing.Exclusions,
            };
        }

        var wanted = requested.Select(id => id.Trim()).ToHashSet(StringComparer.Ordinal);
        var errors = wanted.Where(id => !AccountId.IsValid(id)).Order(StringComparer.Ordinal).Select(id => AccountId.NotAnAccountId("account", id)).ToList();
        var unknown = wanted.Where(id => AccountId.IsValid(id) && all.All(s => s.AccountId != id)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            errors.Add(
                $"Account(s) {string.Join(", ", unknown)} are not configured. Configured accounts: {string.Join(", ", all.Select(s => s.AccountId))} " +
                $"({source.Describes}).");
        }

        var exclusions = listing.Exclusions.Where(e => !(wanted.Contains(e.Key) && e.Value.Overridable)).ToDictionary(StringComparer.Ordinal);
        return errors.Count > 0
            ? new AccountSelection(all, [], errors)
            : new AccountSelection(all, [.. all.Where(s => wanted.Contains(s.AccountId) && !exclusions.ContainsKey(s.AccountId))], [])
            {
                Placements = listing.Placements,
                Exclusions = exclusions,
            };
    }
}

/// <summary>Where the accounts come from: <see cref="StaticAccountSource"/> or <see cref="OrganizationsAccountSource"/> (<c>IamKey:Aws:Discovery:Source</c>).</summary>
public interface IAccountSource
{
    /// <summary>What the source reads, for messages, e.g. the settings it is configured by.</summary>
    string Describes { get; }

    /// <summary>Every account the source knows, with problems in <see cref="AccountListing.Errors"/> instead of exceptions.</summary>
    Task<AccountListing> ListAsync(CancellationToken cancellationToken);
}

/// <summary>What a source found.</summary>
/// <param name="Accounts">Every account the source knows, also those it leaves out (they get a <c>Skipped</c> summary).</param>
/// <param name="Errors">Configuration problems; the run fails before anything is collected.</param>
public sealed record AccountListing(IReadOnlyList<AwsAccountSession> Accounts, IReadOnlyList<string> Errors)
{
    /// <summary>Where each account came from and sits (the records' organization columns); an account without one is <see cref="AccountPlacement.Static"/>.</summary>
    public IReadOnlyDictionary<string, AccountPlacement> Placements { get; init; } = EmptyPlacements;

    /// <summary>The accounts of <see cref="Accounts"/> that are not collected, and why.</summary>
    public IReadOnlyDictionary<string, AccountExclusion> Exclusions { get; init; } = EmptyExclusions;

    /// <summary>The source itself failed (AWS Organizations answered an error): the run fails with one summary row saying so.</summary>
    public SourceFailure? Failure { get; init; }

    internal static readonly IReadOnlyDictionary<string, AccountPlacement> EmptyPlacements = new Dictionary<string, AccountPlacement>();
    internal static readonly IReadOnlyDictionary<string, AccountExclusion> EmptyExclusions = new Dictionary<string, AccountExclusion>();
}

/// <summary>Why a known account is not collected: the summary's <c>ErrorCode</c> and <c>ErrorMessage</c>.</summary>
/// <param name="Overridable">True when asking for the account explicitly (refresh <c>?account=</c>, <c>collect --account</c>) collects it anyway (a filter); false when it cannot be collected (not ACTIVE).</param>
public sealed record AccountExclusion(string Code, string Reason, bool Overridable)
{
    /// <summary>Left out by a discovery filter (or <c>IamKey:Aws:IncludeCentralAccount</c>).</summary>
    public const string FilteredCode = "ExcludedByFilter";

    /// <summary>Suspended, closing or closed in AWS Organizations.</summary>
    public const string NotActiveCode = "AccountNotActive";
}

/// <summary>The account source failed: where (the account and role it called with) and the error.</summary>
public sealed record SourceFailure(string AccountId, string RoleArn, AccountIssue Issue);

/// <summary>How an account was found and where it sits: the records' <c>DiscoverySource</c>, <c>AccountName</c>, <c>OrganizationalUnitPath</c>, <c>AccountTags</c>.</summary>
public sealed record AccountPlacement(DiscoverySource Source, string? Name, string? OrganizationalUnitPath, IReadOnlyDictionary<string, string>? Tags)
{
    /// <summary>The root and OU IDs above the account, root first (what a policy's <c>OrganizationalUnitIds</c> matches); empty when not discovered.</summary>
    public IReadOnlyList<string> OrganizationalUnitIds { get; init; } = [];

    /// <summary>Listed in the settings and not found by discovery.</summary>
    public static AccountPlacement Static { get; } = new(DiscoverySource.Static, null, null, null);
}

/// <summary>The accounts of one run.</summary>
/// <param name="All">Every account the source knows; those not in <paramref name="Selected"/> get a <c>Skipped</c> summary.</param>
/// <param name="Selected">The accounts to collect.</param>
/// <param name="Errors">Why the selection cannot run (a malformed or unknown account, a source that failed); empty when it can.</param>
public sealed record AccountSelection(IReadOnlyList<AwsAccountSession> All, IReadOnlyList<AwsAccountSession> Selected, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0 && Failure is null;

    /// <summary>See <see cref="AccountListing.Placements"/>.</summary>
    public IReadOnlyDictionary<string, AccountPlacement> Placements { get; init; } = AccountListing.EmptyPlacements;

    /// <summary>The accounts of <see cref="All"/> left out by the source (not by the request), and why.</summary>
    public IReadOnlyDictionary<string, AccountExclusion> Exclusions { get; init; } = AccountListing.EmptyExclusions;

    /// <summary>See <see cref="AccountListing.Failure"/>.</summary>
    public SourceFailure? Failure { get; init; }

    /// <summary>The account's placement, <see cref="AccountPlacement.Static"/> when the source gave none.</summary>
    public AccountPlacement PlacementOf(string accountId) => Placements.GetValueOrDefault(accountId) ?? AccountPlacement.Static;
}

/// <summary>The accounts configured by <c>IamKey:Aws:RoleArn</c> (with <c>IncludeCentralAccount</c>), <c>MemberAccountIds</c> and <c>MemberRoleArns</c>.</summary>
public sealed class StaticAccountSource(AwsSessionProvider sessions) : IAccountSource
{
    public string Describes => "IamKey:Aws:RoleArn, IamKey:Aws:MemberAccountIds, IamKey:Aws:MemberRoleArns";

    public Task<AccountListing> ListAsync(CancellationToken cancellationToken) => Task.FromResult(new AccountListing(sessions.Sessions, []));
}
