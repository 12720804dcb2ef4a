using System.Text;
using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Tests.Errors;

public class MessageTextTests
{
    // Shaped like what STS hands out: a 40-character secret key and a long session token, and an Entra JWT.
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly string SessionToken = "IQoJb3JpZ2luX2VjEHIaCXVzLWVhc3QtMSJHMEUCIQD" + Convert.ToBase64String(Encoding.ASCII.GetBytes(new string('k', 90) + "/session+token/" + new string('z', 60)));
    private const string Jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly8xMjM0NSIsInN1YiI6Im9iamVjdC1pZCIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1ieS1lbnRyYQ";

    public static TheoryData<string, string> Echoes() => new()
    {
        { "whole key", SecretKey },
        { "prefix of the key", SecretKey[..12] },
        { "middle of the key", SecretKey[10..30] },
        { "suffix of the key", SecretKey[^9..] },
        { "percent-encoded key", Uri.EscapeDataString(SecretKey) },
        { "percent-encoded key, lower-case hex", Uri.EscapeDataString(SecretKey).Replace("%2F", "%2f", StringComparison.Ordinal).Replace("%2B", "%2b", StringComparison.Ordinal) },
        { "hex of the key", Convert.ToHexStringLower(Encoding.ASCII.GetBytes(SecretKey[5..20])) },
        { "base64 of a part at offset 0", Convert.ToBase64String(Encoding.ASCII.GetBytes(SecretKey[3..27])) },
        { "base64 of a part at offset 1", Convert.ToBase64String(Encoding.ASCII.GetBytes(SecretKey[4..27])) },
        { "base64 of a part at offset 2", Convert.ToBase64String(Encoding.ASCII.GetBytes(SecretKey[5..27])) },
        { "base64url of a part", Convert.ToBase64String(Encoding.ASCII.GetBytes(SecretKey[1..33])).Replace('+', '-').Replace('/', '_').TrimEnd('=') },
        { "middle of the session token", SessionToken[100..160] },
        { "middle of the JWT, no header", Jwt[40..90] },
        { "percent-encoded session token part", Uri.EscapeDataString(SessionToken[20..120]) },
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public void Redact_ShouldRemoveEveryRunOfEightOrMoreCharactersOfAKnownSecret_WhateverTheEncoding(string label, string echoed)
    {
        // Arrange
        var message = $"The request signature we calculated does not match ({echoed}); check your key.";

        // Act
        var redacted = MessageText.Redact(message, SecretKey, SessionToken, Jwt);

        // Assert
        Assert.StartsWith("The request signature we calculated does not match (", redacted, StringComparison.Ordinal);
        Assert.EndsWith("); check your key.", redacted, StringComparison.Ordinal);
        Assert.Contains("[redacted", redacted, StringComparison.Ordinal);
        for (var i = 0; i + MessageText.MinSharedRun <= echoed.Length; i++)
        {
            Assert.False(redacted.Contains(echoed.Substring(i, MessageText.MinSharedRun), StringComparison.Ordinal), $"{label}: {redacted}");
        }
    }

    [Theory]
    [InlineData("a JWT cut short", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGk6Ly8x", "[redacted token]")]
    [InlineData("a JWT header alone", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9", "[redacted token]")]
    [InlineData("a session token nobody told us of", "FwoGZXIvYXdzEBYaDHVzLWVhc3QtMSJGMEQCIHn4lV2Sy1Bp0Y9qPx0k7U2mCjR8LsT3vWq5nE0aKz4kAiB9", "[redacted]")]
    [InlineData("a workspace key", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFE=", "[redacted]")]
    public void Redact_ShouldRemoveTokenShapes_WhenTheSecretIsNotKnown(string label, string token, string replacement)
    {
        var redacted = MessageText.Redact($"Rejected {token} here");

        Assert.True(redacted == $"Rejected {replacement} here", $"{label}: {redacted}");
    }

    [Theory]
    [InlineData("User: arn:aws:sts::111122223333:assumed-role/IamKeyFuncReader/iamkeyfunc-20260901T060000Z is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/IamKeyFuncMember")]
    [InlineData("Key 3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea was deleted (request ID 0f3e2a1b-6c4d-4e5f-8a9b-0c1d2e3f4a5b).")]
    [InlineData("Rate exceeded for GetAccessKeyLastUsed on AKIAIOSFODNN7EXAMPLE; retry later.")]
    [InlineData("The snapshot /home/someone/.local/share/iamkeys/state/aws/111122223333.json could not be used.")]
    public void Redact_ShouldLeaveOrdinaryTextAlone_EvenWithSecretsKnown(string message)
    {
        Assert.Equal(message, MessageText.Redact(message, SecretKey, SessionToken, Jwt));
    }

    [Fact]
    public void Redact_ShouldKeepAnEchoShorterThanEightCharacters_WhichCarriesTooLittleOfTheSecret()
    {
        var message = $"near '{SecretKey[..7]}'";

        Assert.Equal(message, MessageText.Redact(message, SecretKey));
    }

    [Fact]
    public void Redact_ShouldMergeOverlappingRunsIntoOneMarker()
    {
        Assert.Equal("x [redacted] y", MessageText.Redact($"x {SecretKey} y", SecretKey, SecretKey[5..25]));
    }
}
