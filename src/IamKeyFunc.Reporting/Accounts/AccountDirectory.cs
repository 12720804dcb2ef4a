using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Accounts;

/// <summary>
/// The accounts of a run. <see cref="ResolveAsync"/> asks the <see cref="IAccountSource"/> for every account it knows
/// (today <see cref="StaticAccountSource"/>: <c>IamKey:Aws:RoleArn</c>, <c>MemberAccountIds</c>, <c>MemberRoleArns</c>),
/// then narrows them to the requested ones. Problems come back in <see cref="AccountSelection.Errors"/>, never as exceptions.
/// </summary>
public class AccountDirectory(IAccountSource source)
{
    /// <summary>The run's accounts: all of them, or only <paramref name="requested"/> (trimmed, in the source's order).</summary>
    public virtual async Task<AccountSelection> ResolveAsync(IReadOnlyCollection<string>? requested, CancellationToken cancellationToken = default)
    {
        var listing = await source.ListAsync(cancellationToken).ConfigureAwait(false);
        if (listing.Errors.Count > 0)
        {
            return new AccountSelection(listing.Accounts, [], listing.Errors);
        }

        var all = listing.Accounts;
        if (requested is null || requested.Count == 0)
        {
            return new AccountSelection(all, all, []);
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

        return errors.Count > 0
            ? new AccountSelection(all, [], errors)
            : new AccountSelection(all, [.. all.Where(s => wanted.Contains(s.AccountId))], []);
    }
}

/// <summary>Where the accounts come from (the static list today; AWS Organizations discovery plugs in here).</summary>
public interface IAccountSource
{
    /// <summary>What the source reads, for messages, e.g. the settings it is configured by.</summary>
    string Describes { get; }

    /// <summary>Every account the source knows, with problems in <see cref="AccountListing.Errors"/> instead of exceptions.</summary>
    Task<AccountListing> ListAsync(CancellationToken cancellationToken);
}

/// <summary>What a source found.</summary>
public sealed record AccountListing(IReadOnlyList<AwsAccountSession> Accounts, IReadOnlyList<string> Errors);

/// <summary>The accounts of one run.</summary>
/// <param name="All">Every account the source knows; those not in <paramref name="Selected"/> get a <c>Skipped</c> summary.</param>
/// <param name="Selected">The accounts to collect.</param>
/// <param name="Errors">Why the selection cannot run (a malformed or unknown account, a source that failed); empty when it can.</param>
public sealed record AccountSelection(IReadOnlyList<AwsAccountSession> All, IReadOnlyList<AwsAccountSession> Selected, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>The accounts configured by <c>IamKey:Aws:RoleArn</c> (with <c>IncludeCentralAccount</c>), <c>MemberAccountIds</c> and <c>MemberRoleArns</c>.</summary>
public sealed class StaticAccountSource(AwsSessionProvider sessions) : IAccountSource
{
    public string Describes => "IamKey:Aws:RoleArn, IamKey:Aws:MemberAccountIds, IamKey:Aws:MemberRoleArns";

    public Task<AccountListing> ListAsync(CancellationToken cancellationToken) => Task.FromResult(new AccountListing(sessions.Sessions, []));
}
