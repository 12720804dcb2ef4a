using System.Globalization;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// The privilege-context and policy-matching calls: <c>GetAccountAuthorizationDetails</c> (users, groups and managed
/// policies in a few pages per account), <c>GetAccountSummary</c> (the root user's keys and MFA in one call) and
/// <c>ListUserTags</c>. Documents come back URL-encoded (RFC 3986) and are returned decoded.
/// </summary>
public partial class IamClient
{
    /// <summary>The entity types asked for: users with their groups and attachments, groups, and both kinds of managed policies.</summary>
    public static readonly IReadOnlyList<string> AuthorizationFilter = ["User", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

    /// <summary>One page of <c>GetAccountAuthorizationDetails</c> for the entity types in <paramref name="filter"/>.</summary>
    public virtual async Task<AuthorizationDetailsPage> GetAccountAuthorizationDetailsAsync(
        IReadOnlyList<string> filter, string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parameters = new List<KeyValuePair<string, string>>(
            filter.Select((entity, i) => new KeyValuePair<string, string>(
                string.Create(CultureInfo.InvariantCulture, $"Filter.member.{i + 1}"), entity)));
        parameters.AddRange(PagingParameters(marker, maxItems));
        var result = await SendAsync("GetAccountAuthorizationDetails", parameters, cancellationToken).ConfigureAwait(false);
        return Parse("GetAccountAuthorizationDetails", result, IamAuthorizationXml.ParseAuthorizationDetails);
    }

    /// <summary>Every page of <c>GetAccountAuthorizationDetails</c> for <see cref="AuthorizationFilter"/>, in pages of <see cref="CollectionOptions.PageSize"/>.</summary>
    public virtual async Task<AccountAuthorizationDetails> GetAllAccountAuthorizationDetailsAsync(CancellationToken cancellationToken = default)
    {
        var users = new List<IamUserDetail>();
        var groups = new List<IamGroupDetail>();
        var policies = new List<IamManagedPolicyDetail>();
        var pages = 0;
        var all = AllPagesAsync("GetAccountAuthorizationDetails", async marker =>
        {
            var page = await GetAccountAuthorizationDetailsAsync(AuthorizationFilter, marker, _options.PageSize, cancellationToken).ConfigureAwait(false);
            return new IamPage<AuthorizationDetailsPage>([page], page.IsTruncated, page.Marker);
        }, cancellationToken);
        await foreach (var page in all.ConfigureAwait(false))
        {
            pages++;
            users.AddRange(page.Users);
            groups.AddRange(page.Groups);
            policies.AddRange(page.Policies);
        }

        return new AccountAuthorizationDetails(users, groups, policies, pages);
    }

    /// <summary><c>GetAccountSummary</c>: entity counts, quotas and the root user's key and MFA state.</summary>
    public virtual async Task<IamAccountSummary> GetAccountSummaryAsync(CancellationToken cancellationToken = default)
    {
        var result = await SendAsync("GetAccountSummary", [], cancellationToken).ConfigureAwait(false);
        return Parse("GetAccountSummary", result, IamAuthorizationXml.ParseAccountSummary);
    }

    /// <summary>All tags of <paramref name="userName"/>, every page.</summary>
    public virtual async Task<IReadOnlyList<IamTag>> ListUserTagsAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        var tags = AllPagesAsync("ListUserTags", async marker =>
        {
            var parameters = PagingParameters(marker, maxItems: null);
            parameters.Insert(0, new("UserName", userName));
            var result = await SendAsync("ListUserTags", parameters, cancellationToken).ConfigureAwait(false);
            return Parse("ListUserTags", result, IamAuthorizationXml.ParseListUserTags);
        }, cancellationToken);
        return await tags.ToListAsync(cancellationToken).ConfigureAwait(false);
    }
}
