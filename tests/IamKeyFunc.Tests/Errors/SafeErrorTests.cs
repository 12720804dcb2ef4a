using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Tests.Errors;

public class SafeErrorTests
{
    [Fact]
    public void From_ShouldUseTheServiceErrorCode()
    {
        // Arrange
        var cause = new IamException("Rate exceeded", "Throttling", 400);

        // Act
        var issue = SafeError.From(cause);

        // Assert
        Assert.Equal(new AccountIssue("Throttling", "Rate exceeded"), issue);
    }

    [Fact]
    public void From_ShouldUseTimeout_WhenARequestTimedOut()
    {
        Assert.Equal("Timeout", SafeError.From(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout")).Code);
    }

    [Fact]
    public void Shorten_ShouldRedactJwtShapedText()
    {
        // Arrange
        const string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly94In0.c2lnbmF0dXJl";

        // Act
        var message = SafeError.Shorten($"Token {jwt} was rejected");

        // Assert
        Assert.Equal("Token [redacted token] was rejected", message);
    }

    [Fact]
    public void Shorten_ShouldCutTheMiddleOfLongMessages_KeepingTheOperationAndTheReason()
    {
        // Arrange
        const string start = "STS AssumeRole for arn:aws:iam::444455556666:role/Member failed with AccessDenied (HTTP 403):";
        const string end = "because no identity-based policy allows the sts:AssumeRole action";

        // Act
        var message = SafeError.Shorten($"{start} {new string('x', 1000)} {end}");

        // Assert
        Assert.True(message.Length <= SafeError.MaxMessageLength, message);
        Assert.StartsWith(start, message, StringComparison.Ordinal);
        Assert.EndsWith(end, message, StringComparison.Ordinal);
        Assert.Contains(" \u2026 ", message, StringComparison.Ordinal);
    }
}
