using Amazon.Runtime;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Tests.Accounts;

/// <summary>What the directory makes of a source's exclusions and failure, with and without requested accounts.</summary>
public sealed class AccountDirectoryTests
{
    private const string Kept = "111111111111", Filtered = "222222222222", Suspended = "333333333333";

    private static readonly AccountListing Listing = new([Session(Kept), Session(Filtered), Session(Suspended)], [])
    {
        Exclusions = new Dictionary<string, AccountExclusion>
        {
            [Filtered] = new(AccountExclusion.FilteredCode, "Excluded by IamKey:Aws:Discovery:ExcludeAccountIds.", Overridable: true),
            [Suspended] = new(AccountExclusion.NotActiveCode, "The account is SUSPENDED in AWS Organizations.", Overridable: false),
        },
    };

    [Fact]
    public async Task ResolveAsync_ShouldSelectOnlyTheAccountsTheSourceDidNotExclude_WhenNoneAreRequested()
    {
        var selection = await new AccountDirectory(new FixedSource(Listing)).ResolveAsync(null);

        Assert.True(selection.Succeeded);
        Assert.Equal([Kept], selection.Selected.Select(s => s.AccountId));
        Assert.Equal([Filtered, Suspended], selection.Exclusions.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_ShouldCollectARequestedFilteredAccount_ButKeepASuspendedOneExcluded()
    {
        var selection = await new AccountDirectory(new FixedSource(Listing)).ResolveAsync([Filtered, Suspended]);

        Assert.True(selection.Succeeded);
        Assert.Equal([Filtered], selection.Selected.Select(s => s.AccountId));
        Assert.Equal([Suspended], selection.Exclusions.Keys);
    }

    [Fact]
    public async Task ResolveAsync_ShouldPassTheSourceFailureOn_AndSelectNothing()
    {
        var failure = new SourceFailure(Kept, $"arn:aws:iam::{Kept}:role/Discovery", new AccountIssue("AccessDeniedException", "denied"));

        var selection = await new AccountDirectory(new FixedSource(Listing with { Failure = failure })).ResolveAsync([Kept]);

        Assert.False(selection.Succeeded);
        Assert.Empty(selection.Selected);
        Assert.Equal(failure, selection.Failure);
        Assert.Empty(selection.Errors);
    }

    private static AwsAccountSession Session(string accountId) => new(
        accountId, AwsPartition.Aws, $"arn:aws:iam::{accountId}:role/IamKeyFuncMember", new AnonymousAWSCredentials(), AwsPartition.Aws.IamEndpoint, AwsPartition.Aws.IamSigningRegion);

    private sealed class FixedSource(AccountListing listing) : IAccountSource
    {
        public string Describes => "a fixed listing";

        public Task<AccountListing> ListAsync(CancellationToken cancellationToken) => Task.FromResult(listing);
    }
}
