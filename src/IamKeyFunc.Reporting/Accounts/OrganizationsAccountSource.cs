using IamKeyFunc.Reporting.Accounts.Discovery;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Organizations;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Accounts;

/// <summary>
/// The accounts of <c>IamKey:Aws:Discovery:Source = Organizations</c>: the configured ones (the central account,
/// <c>MemberAccountIds</c>, <c>MemberRoleArns</c>) first, then every account the organization walk finds
/// (<see cref="OrganizationDiscovery"/>, once per <see cref="ListAsync"/>), each with its placement. Accounts that are not
/// ACTIVE or that a filter leaves out are listed with an <see cref="AccountExclusion"/>, so that every discovered account
/// gets a summary row. Organizations is called with <c>IamKey:Aws:Discovery:RoleArn</c> (assumed from the central session)
/// or the central session itself; when the walk fails, the listing carries a <see cref="SourceFailure"/> with the error code.
/// </summary>
public sealed partial class OrganizationsAccountSource(
    AwsSessionProvider sessions,
    OrganizationsClientFactory clients,
    IOptions<DiscoveryOptions> discovery,
    IOptions<AwsOptions> aws,
    ILogger<OrganizationsAccountSource> logger) : IAccountSource
{
    private readonly DiscoveryOptions _options = discovery.Value;

    public string Describes => "AWS Organizations discovery (IamKey:Aws:Discovery) plus IamKey:Aws:RoleArn, MemberAccountIds, MemberRoleArns";

    /// <summary>The role Organizations is called with: <c>IamKey:Aws:Discovery:RoleArn</c>, else the central role.</summary>
    public string CallerRoleArn => string.IsNullOrWhiteSpace(_options.RoleArn) ? aws.Value.RoleArn : _options.RoleArn.Trim();

    /// <summary>Walks the organization once. Throws <see cref="ServiceException"/> (Organizations or STS) when it cannot.</summary>
    public async Task<DiscoveryResult> DiscoverAsync(CancellationToken cancellationToken)
    {
        var credentials = string.IsNullOrWhiteSpace(_options.RoleArn) ? sessions.CentralCredentials : sessions.CredentialsFor(CallerRoleArn);
        var client = clients.Create(credentials, OrganizationsEndpoints.For(sessions.Partition, _options.Endpoint), "organizations");
        var result = await OrganizationDiscovery.DiscoverAsync(client, Filter(), cancellationToken).ConfigureAwait(false);
        LogDiscovered(result.OrganizationId, result.Decisions.Count, result.Decisions.Count(d => d.Included), result.TotalCalls);
        return result;
    }

    public async Task<AccountListing> ListAsync(CancellationToken cancellationToken)
    {
        DiscoveryResult result;
        try
        {
            result = await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var issue = SafeError.From(ex);
            LogDiscoveryFailed(issue.Code, issue.Message);
            var failure = new SourceFailure(
                AwsArn.ParseRole(CallerRoleArn).AccountId,
                CallerRoleArn,
                issue with { Message = SafeError.Shorten($"AWS Organizations discovery failed, so no account was collected: {issue.Message}") });
            return new AccountListing(sessions.Sessions, []) { Failure = failure };
        }

        return Listing(result);
    }

    /// <summary>The configured accounts, then the discovered ones in tree order; placements and exclusions for each.</summary>
    internal AccountListing Listing(DiscoveryResult result)
    {
        var accounts = new List<AwsAccountSession>(sessions.Sessions);
        var placements = new Dictionary<string, AccountPlacement>(StringComparer.Ordinal);
        var exclusions = new Dictionary<string, AccountExclusion>(StringComparer.Ordinal);
        var filter = Filter();
        var central = AwsArn.ParseRole(aws.Value.RoleArn).AccountId;
        foreach (var decision in result.Decisions)
        {
            var account = decision.Account;
            if (accounts.All(s => s.AccountId != account.AccountId))
            {
                accounts.Add(sessions.SessionFor(account.AccountId));
            }

            placements[account.AccountId] = new AccountPlacement(
                DiscoverySource.Organizations,
                account.Name,
                account.OrganizationalUnitPath,
                filter.TagKeys.Count == 0 ? null : filter.CopiedTags(account.Tags))
            { OrganizationalUnitIds = account.AncestorIds };
            if (!decision.Included)
            {
                exclusions[account.AccountId] = account.IsActive
                    ? new AccountExclusion(AccountExclusion.FilteredCode, decision.Reason, Overridable: true)
                    : new AccountExclusion(AccountExclusion.NotActiveCode, decision.Reason, Overridable: false);
            }
            else if (account.AccountId == central && !aws.Value.IncludeCentralAccount)
            {
                exclusions[account.AccountId] = new AccountExclusion(
                    AccountExclusion.FilteredCode, "The central account, excluded by IamKey:Aws:IncludeCentralAccount = false.", Overridable: false);
            }
        }

        return new AccountListing(accounts, []) { Placements = placements, Exclusions = exclusions };
    }

    private DiscoveryFilter Filter() => new(_options, sessions.Sessions.Where(s => !s.IsCentral).Select(s => s.AccountId));

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationId}: {Accounts} accounts discovered, {Included} to collect, {Calls} Organizations calls")]
    private partial void LogDiscovered(string organizationId, int accounts, int included, long calls);

    [LoggerMessage(Level = LogLevel.Error, Message = "AWS Organizations discovery failed: {ErrorCode}: {ErrorMessage}")]
    private partial void LogDiscoveryFailed(string errorCode, string errorMessage);
}
