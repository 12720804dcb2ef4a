using Azure.Core;
using Azure.Identity;
using IamKeyFunc.Reporting.Hosting;

namespace IamKeyFunc.Tests.Hosting;

public sealed class DevelopmentTokenCredentialTests
{
    // {"alg":"RS256","typ":"JWT"} . {"exp":4102444800} . dummy signature
    private const string Token = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl";
    private const string Audience = "api://0b6c3c7e-6f0c-4d8e-9d57-0a4f3b9e2c11";

    [Theory]
    [InlineData(Audience + "/.default")]
    [InlineData("API://0B6C3C7E-6F0C-4D8E-9D57-0A4F3B9E2C11/.default")]
    public async Task GetTokenAsync_ShouldReturnTheTokenWithItsExpiry_ForTheAwsAudienceScope(string scope)
    {
        var credential = new DevelopmentTokenCredential(Token, Audience + "/");

        var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), CancellationToken.None);

        Assert.Equal(Token, token.Token);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(4102444800), token.ExpiresOn);
    }

    [Theory]
    [InlineData("https://vault.azure.net/.default")]
    [InlineData("https://monitor.azure.com/.default")]
    public void GetToken_ShouldRefuseWithoutRevealingTheToken_ForAnyOtherScope(string scope)
    {
        var credential = new DevelopmentTokenCredential(Token, Audience);

        var exception = Assert.Throws<CredentialUnavailableException>(() => credential.GetToken(new TokenRequestContext([scope]), CancellationToken.None));

        Assert.Contains("IamKey:Identity:DevelopmentToken", exception.Message, StringComparison.Ordinal);
        Assert.Contains(scope, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")]
    public void Constructor_ShouldRejectATokenWithoutAnExpiry_WithoutEchoingIt(string token)
    {
        var exception = Assert.Throws<ArgumentException>(() => new DevelopmentTokenCredential(token, Audience));

        Assert.Contains("IamKey:Identity:DevelopmentToken must be a JWT", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ShouldNotContainTheToken()
    {
        var credential = new DevelopmentTokenCredential(Token, Audience);

        Assert.DoesNotContain(Token, credential.ToString(), StringComparison.Ordinal);
    }
}
