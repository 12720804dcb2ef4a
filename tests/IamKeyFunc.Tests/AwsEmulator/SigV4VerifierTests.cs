using IamKeyFunc.AwsEmulator.Protocol;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Tests.AwsEmulator;

/// <summary>
/// The emulator's server-side canonicalisation against official SigV4 vectors from awslabs/aws-c-auth
/// (tests/aws-signing-test-suite/v4, commit 495329c2433034bd8fd53fc6ba9e0202d3fac876, Apache-2.0; Copyright Amazon.com, Inc.
/// or its affiliates). Credentials AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z.
/// </summary>
public sealed class SigV4VerifierTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static TheoryData<string, string, string, string, string, string, string> Vectors => new()
    {
        {
            "get-vanilla-with-session-token", "GET", "",
            "Host:example.amazonaws.com|X-Amz-Date:20150830T123600Z|X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            "",
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\n" + EmptyHash,
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        },
        {
            "post-x-www-form-urlencoded", "POST", "",
            "Content-Type:application/x-www-form-urlencoded|Host:example.amazonaws.com|Content-Length:13|X-Amz-Date:20150830T123600Z|x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            "Param1=value1",
            "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        },
        {
            "get-vanilla-query-order-key-case", "GET", "?Param2=value2&Param1=value1",
            "Host:example.amazonaws.com|X-Amz-Date:20150830T123600Z",
            "",
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EmptyHash,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        },
        {
            "get-header-value-trim", "GET", "",
            "Host:example.amazonaws.com|My-Header1: value1|My-Header2: \"a   b   c\"|X-Amz-Date:20150830T123600Z",
            "",
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + EmptyHash,
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void CanonicalRequestAndSignature_ShouldMatchOfficialVector(string name, string method, string query, string headerLines, string body, string expectedCanonical, string expectedSignature)
    {
        var headers = new HeaderDictionary();
        foreach (var line in headerLines.Split('|'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..];
        }

        var signedHeaders = headers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal).ToArray();

        var canonical = SigV4.CanonicalRequest(method, "/", query, headers, signedHeaders, SigV4.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(body)));
        var signature = SigV4.Signature(SigV4.SigningKey(Secret, "20150830", "us-east-1", "service"),
            SigV4.StringToSign(AmzDate, "20150830/us-east-1/service/aws4_request", canonical));

        Assert.True(expectedCanonical == canonical, $"{name}: canonical request differs:\n{canonical}");
        Assert.Equal(expectedSignature, signature);
    }

    [Fact]
    public void TryParseAuthorization_ShouldReadCredentialScopeSignedHeadersAndSignature()
    {
        var ok = SigV4.TryParseAuthorization(
            "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260915/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc123",
            out var authorization, out _);

        Assert.True(ok);
        Assert.Equal("ASIAEXAMPLE", authorization.AccessKeyId);
        Assert.Equal("20260915/us-east-1/iam/aws4_request", authorization.Scope);
        Assert.Equal(["content-type", "host", "x-amz-date"], authorization.SignedHeaders);
        Assert.Equal("abc123", authorization.Signature);
    }
}
