using System.Net;
using System.Text;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

public class IamExceptionTests
{
    [Fact]
    public async Task Throttling_WithHttp400_IsRecognisedAsThrottling()
    {
        var client = IamTestClients.Create(new StubIamHandler(_ => IamWire.Throttling()), options: IamTestClients.FastOptions(maxAttempts: 1));

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("Throttling", ex.ErrorCode);
        Assert.Equal(400, ex.Status);
        Assert.Equal("Sender", ex.ErrorType);
        Assert.Equal("ListUsers", ex.Operation);
        Assert.True(ex.IsThrottling);
        Assert.True(ex.IsTransient);
        Assert.Contains("Rate exceeded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessDenied_CarriesCodeStatusTypeRequestIdAndAwsMessage()
    {
        const string awsMessage = "User: arn:aws:sts::111122223333:assumed-role/Reader/s is not authorized to perform: iam:ListUsers";
        var handler = new StubIamHandler(_ => IamWire.Error(HttpStatusCode.Forbidden, "AccessDenied", awsMessage, requestId: "4f6a1c2e-0000-0000-0000-000000000001"));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("AccessDenied", ex.ErrorCode);
        Assert.Equal(403, ex.Status);
        Assert.Equal("Sender", ex.ErrorType);
        Assert.Equal("4f6a1c2e-0000-0000-0000-000000000001", ex.RequestId);
        Assert.False(ex.IsThrottling);
        Assert.False(ex.IsTransient);
        Assert.Contains(awsMessage, ex.Message, StringComparison.Ordinal);
        Assert.Contains("111122223333", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4f6a1c2e-0000-0000-0000-000000000001", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonXmlServiceUnavailable_GivesAUsefulExceptionWithTheStatusAndBody()
    {
        var handler = new StubIamHandler(_ =>
        {
            var response = IamWire.Text(HttpStatusCode.ServiceUnavailable, "<html><body>\n  Service   Unavailable  </body>");
            response.Headers.Add("x-amzn-RequestId", "header-request-id");
            return response;
        });
        var client = IamTestClients.Create(handler, options: IamTestClients.FastOptions(maxAttempts: 2));

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("ServiceUnavailable", ex.ErrorCode);
        Assert.Equal(503, ex.Status);
        Assert.Equal("header-request-id", ex.RequestId);
        Assert.Equal(2, ex.Attempts);
        Assert.True(ex.IsTransient);
        Assert.Contains("Service Unavailable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyErrorBody_StillNamesTheStatus()
    {
        var client = IamTestClients.Create(new StubIamHandler(_ => new HttpResponseMessage(HttpStatusCode.Forbidden)));

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("Forbidden", ex.ErrorCode);
        Assert.Equal(403, ex.Status);
        Assert.Contains("(empty)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorWithoutNamespace_IsParsedTheSame()
    {
        var handler = new StubIamHandler(_ => IamWire.Xml(HttpStatusCode.Forbidden,
            "<ErrorResponse><RequestId>r-1</RequestId><Error><Message>nope</Message><Code>InvalidClientTokenId</Code><Type>Sender</Type></Error></ErrorResponse>"));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("InvalidClientTokenId", ex.ErrorCode);
        Assert.Equal("r-1", ex.RequestId);
    }

    [Fact]
    public async Task SignatureDoesNotMatch_MessageNeverContainsCredentialsOrTheSignature()
    {
        // Real AWS echoes the canonical request (session token included) in this error.
        string? sentSignature = null;
        var handler = new StubIamHandler(r =>
        {
            sentSignature = r.Headers["Authorization"].Split("Signature=")[1];
            string message = "The request signature we calculated does not match the signature you provided. "
                + $"Signature {sentSignature}. Key test-secret-key.\n\nThe Canonical String for this request should have been\n'POST\n/\n\n"
                + "x-amz-security-token:test-session-token\n'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n...'";
            return IamWire.Error(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", System.Security.SecurityElement.Escape(message));
        });
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal("SignatureDoesNotMatch", ex.ErrorCode);
        Assert.NotNull(sentSignature);
        Assert.DoesNotContain("test-session-token", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("test-secret-key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sentSignature, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("test-session-token", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("does not match the signature you provided", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedSuccessBody_IsAnInvalidResponseNotARetry()
    {
        var handler = new StubIamHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("not xml", Encoding.UTF8) });
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal(IamErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.Equal(200, ex.Status);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task SuccessBodyMissingARequiredMember_IsAnInvalidResponse()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("ListUsers", "<Users><member><UserName>alice</UserName></member></Users><IsTruncated>false</IsTruncated>"));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal(IamErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.Equal("req-ListUsers", ex.RequestId);
    }
}
