using IamKeyFunc.Functions;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Tests.Functions;

public sealed class RefreshReportQueryTests
{
    [Fact]
    public void TryParse_ShouldTargetEveryAccountWithoutDryRun_WhenTheQueryIsEmpty()
    {
        var ok = RefreshReport.Query.TryParse(QueryOf(""), out var query, out var error);

        Assert.True(ok, error);
        Assert.Null(query!.Accounts);
        Assert.False(query.DryRun);
    }

    [Theory]
    [InlineData("?account=111122223333&account=444455556666")]
    [InlineData("?account=111122223333,444455556666")]
    [InlineData("?account=111122223333,%20444455556666,&account=111122223333")]
    public void TryParse_ShouldAcceptRepeatedAndCommaSeparatedAccounts(string queryString)
    {
        var ok = RefreshReport.Query.TryParse(QueryOf(queryString), out var query, out var error);

        Assert.True(ok, error);
        Assert.Equal(["111122223333", "444455556666"], query!.Accounts);
    }

    [Theory]
    [InlineData("?dryRun=true", true)]
    [InlineData("?dryRun=True", true)]
    [InlineData("?dryRun=false", false)]
    [InlineData("?code=function-key&dryRun=true", true)]
    public void TryParse_ShouldReadDryRun(string queryString, bool expected)
    {
        var ok = RefreshReport.Query.TryParse(QueryOf(queryString), out var query, out var error);

        Assert.True(ok, error);
        Assert.Equal(expected, query!.DryRun);
    }

    [Theory]
    [InlineData("?account=12345", "account '12345' is not an AWS account ID (12 digits).")]
    [InlineData("?account=1111222233334", "account '1111222233334' is not an AWS account ID (12 digits).")]
    [InlineData("?account=prod", "account 'prod' is not an AWS account ID (12 digits).")]
    [InlineData("?dryRun=yes", "dryRun must be true or false, not 'yes'.")]
    [InlineData("?dryRun=", "dryRun must be true or false, not ''.")]
    [InlineData("?dryRun=true&dryRun=false", "dryRun must be true or false, not 'true,false'.")]
    public void TryParse_ShouldExplainTheProblem_WhenAParameterIsBad(string queryString, string expected)
    {
        var ok = RefreshReport.Query.TryParse(QueryOf(queryString), out _, out var error);

        Assert.False(ok);
        Assert.Equal(expected, error);
    }

    private static IQueryCollection QueryOf(string queryString) =>
        new DefaultHttpContext { Request = { QueryString = new QueryString(queryString) } }.Request.Query;
}
