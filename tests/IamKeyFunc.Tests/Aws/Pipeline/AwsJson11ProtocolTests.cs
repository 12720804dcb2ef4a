using System.Net;
using System.Text;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Tests.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Pipeline;

/// <summary>A JSON 1.1 service (shaped like Organizations) on the shared pipeline, against a stub speaking the wire format.</summary>
public sealed class AwsJson11ProtocolTests
{
    private static readonly AwsJson11Protocol Protocol = new("Organizations", "AWSOrganizationsV20161128", (failure, message) => new TestServiceException(message, failure));

    [Fact]
    public async Task SendAsync_SignsTheTargetAndReturnsTheJsonAnswer()
    {
        var handler = new StubIamHandler(_ => Json(HttpStatusCode.OK, """{"Accounts":[]}"""));

        var response = await Pipeline(handler).SendAsync(Protocol.Request("ListAccounts"), Protocol, CancellationToken.None);

        Assert.Equal("""{"Accounts":[]}""", response.Body);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("AWSOrganizationsV20161128.ListAccounts", request.Headers["X-Amz-Target"]);
        Assert.Equal(AwsJson11Protocol.ContentType, request.Headers["Content-Type"]);
        Assert.Contains("x-amz-target", request.Headers["Authorization"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("com.amazonaws.organizations#AccessDeniedException", "AccessDeniedException")]
    [InlineData("AWSOrganizationsNotInUseException:http://internal.amazon.com/coral/", "AWSOrganizationsNotInUseException")]
    public async Task SendAsync_ReadsTheErrorCodeFromType(string type, string code)
    {
        var handler = new StubIamHandler(_ => Json(HttpStatusCode.BadRequest, $$"""{"__type":"{{type}}","message":"no"}"""));

        var ex = await Assert.ThrowsAsync<TestServiceException>(() => Pipeline(handler).SendAsync(Protocol.Request("ListAccounts"), Protocol, CancellationToken.None));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(400, ex.Status);
        Assert.Contains("Organizations ListAccounts failed", ex.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("<html>hello</html>")]
    [InlineData("""{"__type":"AccessDeniedException","message":"sent with 200"}""")]
    [InlineData("[1,2]")]
    public async Task SendAsync_FailsWithInvalidResponse_WhenA200IsNotAnAnswer(string body)
    {
        var handler = new StubIamHandler(_ => Json(HttpStatusCode.OK, body));

        var ex = await Assert.ThrowsAsync<TestServiceException>(() => Pipeline(handler).SendAsync(Protocol.Request("ListAccounts"), Protocol, CancellationToken.None));

        Assert.Equal(AwsPipelineErrorCodes.InvalidResponse, ex.ErrorCode);
    }

    [Fact]
    public async Task SendAsync_RetriesThrottling()
    {
        var handler = new StubIamHandler(r => r.Index == 1
            ? Json(HttpStatusCode.BadRequest, """{"__type":"TooManyRequestsException","message":"slow down"}""")
            : Json(HttpStatusCode.OK, "{}"));

        await Pipeline(handler).SendAsync(Protocol.Request("ListRoots"), Protocol, CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count);
    }

    private static AwsRequestPipeline Pipeline(HttpMessageHandler handler) => new(
        new HttpClient(handler),
        new SessionAWSCredentials("ASIATESTACCESSKEY", "test-secret-key", "test-session-token"),
        new AwsEndpoint(new Uri("https://organizations.us-east-1.amazonaws.com/"), "us-east-1", "organizations"),
        new AwsPipelineOptions(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromSeconds(10)),
        UnpacedRequests.Instance,
        TimeProvider.System,
        logger: null,
        accountLabel: "111122223333");

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, AwsJson11Protocol.ContentType) };

    private sealed class TestServiceException(string message, AwsFailure failure)
        : ServiceException(message, failure.Code, failure.Status, failure.RequestId, failure.Exception);
}
