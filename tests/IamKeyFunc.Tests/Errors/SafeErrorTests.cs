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

    [Fact]
    public void From_ShouldKeepTheOperationTheHintAndTheRequestIdWhole_AndShortenOnlyTheServiceText()
    {
        // Arrange: a service text far longer than the summary allows
        const string operation = "STS AssumeRole for arn:aws:iam::777788889999:role/IamKeyFuncMember failed with AccessDenied (HTTP 403)";
        const string hint = "Check that the role trusts arn:aws:iam::111122223333:role/IamKeyFuncReader (Principal.AWS, action sts:AssumeRole) and that the source may call sts:AssumeRole on it.";
        var cause = new IamException("ignored", "AccessDenied", 403)
        {
            Text = new ServiceErrorText(operation, $"User: x is not authorized {new string('y', 2000)} on resource: z", hint, "req-1"),
        };

        // Act
        var issue = SafeError.From(cause, "If the member role IamKeyFuncMember is missing, deploy it with the StackSet iamkeyfunc-member.");

        // Assert
        Assert.True(issue.Message.Length <= SafeError.MaxMessageLength, issue.Message);
        Assert.StartsWith($"{operation}: User: x is not authorized", issue.Message, StringComparison.Ordinal);
        Assert.EndsWith($"on resource: z {hint} If the member role IamKeyFuncMember is missing, deploy it with the StackSet iamkeyfunc-member. (request ID req-1)", issue.Message, StringComparison.Ordinal);
        Assert.Contains(" \u2026 ", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_ShouldNotCutAnStsMessageOfUsualLength()
    {
        var text = new ServiceErrorText(
            "STS AssumeRole for arn:aws:iam::777788889999:role/IamKeyFuncMember failed with AccessDenied (HTTP 403)",
            "User: arn:aws:sts::111122223333:assumed-role/IamKeyFuncReader/iamkeyfunc-20260901T060000Z is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::777788889999:role/IamKeyFuncMember",
            "Check that the role trusts arn:aws:iam::111122223333:role/IamKeyFuncReader (Principal.AWS, action sts:AssumeRole) and that the source may call sts:AssumeRole on it.",
            "3f1c2d4e-0000-4000-8000-1234567890ab");

        var issue = SafeError.From(new IamException("ignored", "AccessDenied", 403) { Text = text });

        Assert.Equal(text.ToString(), issue.Message);
        Assert.DoesNotContain("\u2026", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_ShouldAppendTheHintWhole_ToAMessageWithoutParts()
    {
        var issue = SafeError.From(new InvalidOperationException(new string('m', 3000)), "Deploy the StackSet.");

        Assert.True(issue.Message.Length <= SafeError.MaxMessageLength, issue.Message);
        Assert.EndsWith("m Deploy the StackSet.", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Combine_ShouldJoinCodesWithCommasAndMessagesWithASpace()
    {
        Assert.Null(AccountIssue.Combine(null, null));
        Assert.Equal(new AccountIssue("A", "a."), AccountIssue.Combine(new AccountIssue("A", "a."), null));
        Assert.Equal(new AccountIssue("B", "b."), AccountIssue.Combine(null, new AccountIssue("B", "b.")));
        Assert.Equal(new AccountIssue("A,B", "a. b."), AccountIssue.Combine(new AccountIssue("A", "a."), new AccountIssue("B", "b.")));
    }
}
