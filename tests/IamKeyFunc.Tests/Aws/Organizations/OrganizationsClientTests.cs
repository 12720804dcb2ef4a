using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Organizations;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Configuration;
using static IamKeyFunc.Tests.Aws.Organizations.ScriptedOrganizationsServer;

namespace IamKeyFunc.Tests.Aws.Organizations;

/// <summary>The Organizations client's JSON 1.1 requests and its reading of answers and errors, against a loopback server.</summary>
public sealed class OrganizationsClientTests
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789";

    [Fact]
    public async Task ListAccountsForParent_ShouldSendASignedJson11RequestPerPage_AndFollowNextToken()
    {
        await using var server = await StartAsync((call, n) => n switch
        {
            1 => Ok(new { Accounts = new[] { Account("111111111111", "One", state: "ACTIVE") }, NextToken = "page-2" }),
            _ => Ok(new { Accounts = new[] { Account("222222222222", "Two", state: "SUSPENDED") } }),
        });
        using var http = new HttpClient();

        var accounts = await Client(server, http).ListAccountsForParentAsync("r-ab12", CancellationToken.None);

        Assert.Equal(["111111111111", "222222222222"], accounts.Select(a => a.Id));
        Assert.Equal([true, false], accounts.Select(a => a.IsActive));
        Assert.Equal(2, server.Calls.Count);
        var first = server.Calls[0];
        Assert.Equal("AWSOrganizationsV20161128.ListAccountsForParent", first.Target);
        Assert.Equal("application/x-amz-json-1.1", first.ContentType);
        Assert.Equal("""{"ParentId":"r-ab12","MaxResults":20}""", first.Body);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/\d{8}/us-east-1/organizations/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$", first.Authorization);
        Assert.Equal(SessionToken, first.Headers["X-Amz-Security-Token"]);
        Assert.Equal("""{"ParentId":"r-ab12","MaxResults":20,"NextToken":"page-2"}""", server.Calls[1].Body);
    }

    [Fact]
    public async Task Accounts_ShouldReadStateBeforeStatus_AndEpochSecondTimestamps()
    {
        await using var server = await StartAsync((_, _) => Ok(new
        {
            Accounts = new object[]
            {
                new { Id = "111111111111", Name = "Both", Status = "ACTIVE", State = "PENDING_CLOSURE", JoinedTimestamp = 1700000000.5 },
                new { Id = "222222222222", Name = "Old", Status = "SUSPENDED" },
                new { Id = "333333333333", Name = "New", State = "ACTIVE", Paths = new[] { "o-x/r-ab12/" }, SomethingNew = 1 },
            },
        }));
        using var http = new HttpClient();

        var accounts = await Client(server, http).ListAccountsForParentAsync("ou-ab12-abcdefgh", CancellationToken.None);

        Assert.Equal(["PENDING_CLOSURE", "SUSPENDED", "ACTIVE"], accounts.Select(a => a.State));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000500), accounts[0].JoinedAt);
        Assert.Null(accounts[1].JoinedAt);
        Assert.Equal("""{"ParentId":"ou-ab12-abcdefgh","MaxResults":20}""", server.Calls[0].Body);
    }

    [Fact]
    public async Task Lists_ShouldFail_WhenTheServiceRepeatsANextToken()
    {
        await using var server = await StartAsync((_, n) => Ok(new { OrganizationalUnits = new[] { new { Id = $"ou-ab12-0000000{n}", Name = "X" } }, NextToken = n == 1 ? "a" : "b" }));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<OrganizationsException>(() => Client(server, http).ListOrganizationalUnitsForParentAsync("r-ab12", CancellationToken.None));

        Assert.Equal(OrganizationsErrorCodes.RepeatedNextToken, error.ErrorCode);
        Assert.Equal(3, server.Calls.Count); // a, b, then b again
    }

    [Theory]
    [InlineData("AccessDeniedException", "AccessDeniedException")]
    [InlineData("com.amazonaws.organizations.v20161128#AWSOrganizationsNotInUseException", "AWSOrganizationsNotInUseException")]
    [InlineData("AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", "AccessDeniedException")]
    public async Task Errors_ShouldMapToTheServiceCode_WithoutRetrying(string type, string code)
    {
        await using var server = await StartAsync((_, _) => Error(type, "You don't have permissions to access this resource."));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<OrganizationsException>(() => Client(server, http).ListRootsAsync(CancellationToken.None));

        Assert.Equal((code, 400, "ListRoots", "req-1"), (error.ErrorCode, error.Status, error.Operation, error.RequestId));
        Assert.IsAssignableFrom<IamKeyFunc.Reporting.Errors.ServiceException>(error);
        Assert.Contains("You don't have permissions", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task TooManyRequests_ShouldBeRetriedAsThrottling_UntilItSucceeds()
    {
        await using var server = await StartAsync((_, n) => n <= 2
            ? Error("TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress.")
            : Ok(new { Roots = new[] { new { Id = "r-ab12", Name = "Root" } } }));
        using var http = new HttpClient();
        var client = Client(server, http);

        var roots = await client.ListRootsAsync(CancellationToken.None);

        Assert.Equal("r-ab12", Assert.Single(roots).Id);
        Assert.Equal((3, 2L), (server.Calls.Count, client.Stats.ThrottledResponses));
    }

    [Fact]
    public async Task TooManyRequests_ShouldSurfaceItsCode_WhenAttemptsRunOut()
    {
        await using var server = await StartAsync((_, _) => Error("TooManyRequestsException", "slow down"));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<OrganizationsException>(() => Client(server, http, maxAttempts: 3).DescribeOrganizationAsync(CancellationToken.None));

        Assert.Equal((OrganizationsErrorCodes.TooManyRequests, 3), (error.ErrorCode, error.Attempts));
        Assert.Equal(3, server.Calls.Count);
    }

    [Theory]
    [InlineData(200, "<html>not json</html>", "text/html", "InvalidResponse")]
    [InlineData(200, "[]", "application/x-amz-json-1.1", "InvalidResponse")]
    [InlineData(403, "<AccessDenied/>", "text/xml", "Forbidden")]
    public async Task Answers_ThatAreNotAwsJson_ShouldFailWithAClearCode(int status, string body, string contentType, string code)
    {
        await using var server = await StartAsync((_, _) => new JsonReply(status, body, contentType));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<OrganizationsException>(() => Client(server, http, maxAttempts: 1).ListRootsAsync(CancellationToken.None));

        Assert.Equal(code, error.ErrorCode);
    }

    [Fact]
    public async Task ErrorMessages_ShouldNotCarryCredentials_WhenTheServerEchoesThem()
    {
        await using var server = await StartAsync((call, _) => Error("InvalidSignatureException", $"Bad signature for token {SessionToken}, key {SecretKey}; The Canonical String for this request should have been {call.Authorization}"));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<OrganizationsException>(() => Client(server, http).ListRootsAsync(CancellationToken.None));

        Assert.DoesNotContain(SessionToken, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Signature=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListTagsForResource_ShouldPageWithoutMaxResults()
    {
        await using var server = await StartAsync((_, n) => n == 1
            ? Ok(new { Tags = new[] { new { Key = "Environment", Value = "prod" } }, NextToken = "t2" })
            : Ok(new { Tags = new[] { new { Key = "Owner", Value = "team a" } } }));
        using var http = new HttpClient();

        var tags = await Client(server, http).ListTagsForResourceAsync("111111111111", CancellationToken.None);

        Assert.Equal(["Environment=prod", "Owner=team a"], tags.Select(t => $"{t.Key}={t.Value}"));
        Assert.Equal("""{"ResourceId":"111111111111"}""", server.Calls[0].Body);
        Assert.Equal("""{"ResourceId":"111111111111","NextToken":"t2"}""", server.Calls[1].Body);
    }

    [Theory]
    [InlineData("aws", "https://organizations.us-east-1.amazonaws.com/", "us-east-1")]
    [InlineData("aws-us-gov", "https://organizations.us-gov-west-1.amazonaws.com/", "us-gov-west-1")]
    [InlineData("aws-cn", "https://organizations.cn-northwest-1.amazonaws.com.cn/", "cn-northwest-1")]
    public void Endpoints_ShouldFollowTheModelsRuleSet_PerPartition(string partition, string uri, string region)
    {
        var endpoint = OrganizationsEndpoints.For(AwsPartition.FromName(partition));

        Assert.Equal((new Uri(uri), region, "organizations"), (endpoint.Uri, endpoint.SigningRegion, endpoint.SigningService));
        Assert.Equal(region, OrganizationsEndpoints.For(AwsPartition.FromName(partition), new Uri("https://vpce.example.com/")).SigningRegion);
    }

    private static object Account(string id, string name, string state) =>
        new { Id = id, Arn = $"arn:aws:organizations::999999999999:account/o-abcdefghij/{id}", Email = $"{id}@example.com", Name = name, Status = state, State = state };

    private static OrganizationsClient Client(ScriptedOrganizationsServer server, HttpClient http, int maxAttempts = 5) =>
        new(new AwsRequestPipeline(
            http,
            new SessionAWSCredentials("ASIAEXAMPLE", SecretKey, SessionToken),
            OrganizationsEndpoints.For(AwsPartition.Aws, server.Endpoint),
            new AwsPipelineOptions(maxAttempts, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10)),
            UnpacedRequests.Instance,
            TimeProvider.System,
            null,
            "999999999999"));
}
