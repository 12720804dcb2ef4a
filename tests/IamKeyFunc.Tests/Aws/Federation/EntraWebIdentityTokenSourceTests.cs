using Azure.Core;
using IamKeyFunc.Reporting.Aws.Federation;
using static IamKeyFunc.Tests.Aws.Federation.FederationTestKit;

namespace IamKeyFunc.Tests.Aws.Federation;

public sealed class EntraWebIdentityTokenSourceTests
{
    [Fact]
    public async Task GetTokenAsync_ShouldAskForTheAudienceDefaultScope_AndReadTheClaims()
    {
        // Arrange
        var clock = Clock();
        var credential = new FakeTokenCredential(clock);
        using var logs = Logs();
        var source = TokenSource(credential, Options(), logs);

        // Act
        var token = await source.GetTokenAsync();

        // Assert
        Assert.Equal([Audience + "/.default"], credential.Scopes);
        Assert.Equal($"https://sts.windows.net/{Tenant}/", token.Issuer);
        Assert.Equal(Audience, token.Audience);
        Assert.Equal("1.0", token.Version);
        Assert.Equal(ManagedIdentityObjectId, token.Subject);
        Assert.Equal(Start.AddHours(1), token.ExpiresOn);
        Assert.Contains(SecretMarker, token.Reveal(), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTokenAsync_ShouldWarnAboutIncorrectTokenAudience_WhenEntraIssuesAV2Token()
    {
        // Arrange
        var clock = Clock();
        var expires = clock.GetUtcNow().AddHours(1);
        var credential = new FakeTokenCredential(clock)
        {
            Next = _ => new AccessToken(Jwt($"https://login.microsoftonline.com/{Tenant}/v2.0", "0a1b2c3d-0000-4000-8000-00000000abcd", ManagedIdentityObjectId, expires, "2.0"), expires),
        };
        using var logs = Logs();
        var source = TokenSource(credential, Options(), logs);

        // Act
        var token = await source.GetTokenAsync();

        // Assert
        Assert.Equal("2.0", token.Version);
        var warning = Assert.Single(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains("requestedAccessTokenVersion to 1", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void WebIdentityToken_ShouldTolerateAnOpaqueToken()
    {
        // Act
        var token = new WebIdentityToken("opaque-" + SecretMarker, Start);

        // Assert
        Assert.Null(token.Issuer);
        Assert.Equal("iss=?, aud=?, ver=?, sub=?", token.DescribeClaims());
        Assert.DoesNotContain(SecretMarker, token.ToString(), StringComparison.Ordinal);
    }
}
