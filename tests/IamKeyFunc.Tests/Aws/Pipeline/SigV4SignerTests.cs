using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Aws.Pipeline;

public class SigV4SignerTests
{
    private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "Aws", "Pipeline", "testdata", "sigv4");

    public static TheoryData<string> Cases() => new(CaseNames());

    private static IEnumerable<string> CaseNames() =>
        Directory.GetDirectories(SuiteDirectory).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal);

    [Fact]
    public void Suite_ContainsTheHeaderSigningCasesTheIamClientReliesOn()
    {
        var cases = CaseNames().ToHashSet(StringComparer.Ordinal);

        Assert.True(cases.Count >= 38, $"expected the full get-*/post-* suite, found {cases.Count} cases");
        Assert.Contains("get-vanilla-with-session-token", cases);
        Assert.Contains("post-x-www-form-urlencoded", cases);
        Assert.Contains("post-x-www-form-urlencoded-parameters", cases);
        Assert.Contains("post-sts-header-before", cases);
        Assert.Contains("post-sts-header-after", cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sign_ProducesTheOfficialCanonicalRequest(string name)
    {
        var (signature, dir) = SignCase(name);

        Assert.Equal(ReadExpected(dir, "header-canonical-request.txt"), signature.CanonicalRequest);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sign_ProducesTheOfficialStringToSign(string name)
    {
        var (signature, dir) = SignCase(name);

        Assert.Equal(ReadExpected(dir, "header-string-to-sign.txt"), signature.StringToSign);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sign_ProducesTheOfficialSignatureAndAuthorizationHeader(string name)
    {
        var (signature, dir) = SignCase(name);
        var expectedHeaders = ParseRequest(ReadExpected(dir, "header-signed-request.txt")).Headers;

        Assert.Equal(ReadExpected(dir, "header-signature.txt"), signature.Signature);
        Assert.Equal(Single(expectedHeaders, "Authorization"), Single(signature.HeadersToAdd, "Authorization"));
        foreach (var (header, value) in signature.HeadersToAdd)
        {
            Assert.Equal(Single(expectedHeaders, header), value);
        }
    }

    [Fact]
    public void Sign_HttpRequest_SignsHostContentTypeDateAndSessionToken()
    {
        var signer = new SigV4Signer(new FakeTimeProvider(new DateTimeOffset(2026, 9, 15, 12, 0, 0, TimeSpan.Zero)));
        var body = "Action=ListUsers&Version=2010-05-08"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:5123/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");

        var signature = signer.Sign(request, body, new ImmutableCredentials("ASIAEXAMPLE", "secret", "session-token"), "us-east-1", "iam");

        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token", signature.SignedHeaders);
        Assert.Equal("127.0.0.1:5123", request.Headers.Host);
        Assert.Equal("20260915T120000Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("session-token", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.StartsWith(
            "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260915/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=",
            request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
        Assert.EndsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), signature.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_HttpRequest_MatchesTheSuiteForTheSameRequest()
    {
        // post-x-www-form-urlencoded-parameters, sent as an HttpRequestMessage: same bytes, same signature.
        var signer = new SigV4Signer(new FakeTimeProvider(new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero)));
        var body = "Param1=value1"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        var credentials = new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

        var fromMessage = signer.Sign(request, body, credentials, "us-east-1", "service");
        var fromParts = signer.Sign(
            new SigV4Request("POST", "/", "", [new("Host", "example.amazonaws.com"), new("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body),
            credentials, "us-east-1", "service");

        Assert.Equal(fromParts.Signature, fromMessage.Signature);
        Assert.Equal("example.amazonaws.com", request.Headers.Host);
    }

    [Fact]
    public void Sign_SameHttpRequestTwice_ReplacesTheEarlierSignature()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 9, 15, 12, 0, 0, TimeSpan.Zero));
        var signer = new SigV4Signer(time);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://iam.amazonaws.com/");
        signer.Sign(request, Array.Empty<byte>(), new ImmutableCredentials("ASIAONE", "secret-1", "token-1"), "us-east-1", "iam");
        time.Advance(TimeSpan.FromMinutes(1));

        var second = signer.Sign(request, Array.Empty<byte>(), new ImmutableCredentials("ASIATWO", "secret-2", "token-2"), "us-east-1", "iam");

        Assert.Equal("20260915T120100Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("token-2", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Equal(second.Authorization, request.Headers.GetValues("Authorization").Single());
        Assert.Equal("host;x-amz-date;x-amz-security-token", second.SignedHeaders);
    }

    [Fact]
    public void Sign_WithoutSessionToken_AddsNoSecurityTokenHeader()
    {
        var signer = new SigV4Signer(TimeProvider.System);

        var signature = signer.Sign(
            new SigV4Request("POST", "/", "", [new("Host", "iam.amazonaws.com")], Array.Empty<byte>()),
            new ImmutableCredentials("AKIDEXAMPLE", "secret", null), "us-east-1", "iam");

        Assert.DoesNotContain(signature.HeadersToAdd, h => h.Key == "X-Amz-Security-Token");
        Assert.Equal("host;x-amz-date", signature.SignedHeaders);
    }

    [Fact]
    public void ToString_DoesNotRevealTheSessionTokenOrSignature()
    {
        var signature = new SigV4Signer(TimeProvider.System).Sign(
            new SigV4Request("POST", "/", "", [new("Host", "iam.amazonaws.com")], Array.Empty<byte>()),
            new ImmutableCredentials("AKIDEXAMPLE", "secret", "top-secret-token"), "us-east-1", "iam");

        Assert.Contains("top-secret-token", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.DoesNotContain("top-secret-token", signature.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(signature.Signature, signature.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://[::1]:8080/", "[::1]:8080")]
    [InlineData("https://iam.amazonaws.com/", "iam.amazonaws.com")]
    [InlineData("https://iam.amazonaws.com:8443/", "iam.amazonaws.com:8443")]
    public void HostHeader_IncludesNonDefaultPortsAndBracketsIPv6(string uri, string expected) =>
        Assert.Equal(expected, SigV4Signer.HostHeader(new Uri(uri)));

    private static (SigV4Signature Signature, string Directory) SignCase(string name)
    {
        string dir = Path.Combine(SuiteDirectory, name);
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "context.json")));
        var root = context.RootElement;
        var creds = root.GetProperty("credentials");
        var credentials = new ImmutableCredentials(
            creds.GetProperty("access_key_id").GetString(),
            creds.GetProperty("secret_access_key").GetString(),
            creds.TryGetProperty("token", out var token) ? token.GetString() : null);
        var time = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var options = new SigV4SigningOptions
        {
            NormalizePath = Flag(root, "normalize", true),
            AddContentSha256Header = Flag(root, "sign_body", false),
            OmitSessionTokenFromSignature = Flag(root, "omit_session_token", false),
        };

        var request = ParseRequest(File.ReadAllText(Path.Combine(dir, "request.txt"), Encoding.UTF8));
        var signer = new SigV4Signer(new FakeTimeProvider(time));
        var signature = signer.Sign(request, credentials, root.GetProperty("region").GetString()!, root.GetProperty("service").GetString()!, options);
        return (signature, dir);
    }

    private static bool Flag(JsonElement root, string name, bool fallback) =>
        root.TryGetProperty(name, out var value) ? value.GetBoolean() : fallback;

    private static string ReadExpected(string dir, string file) => File.ReadAllText(Path.Combine(dir, file), Encoding.UTF8);

    private static string Single(IEnumerable<KeyValuePair<string, string>> headers, string name) =>
        headers.Single(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Parses the suite's raw request: request line (the path may contain spaces), headers with
    /// folded continuation lines, a blank line, then the body.</summary>
    private static SigV4Request ParseRequest(string text)
    {
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string requestLine = lines[0];
        string method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        string target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        int q = target.IndexOf('?', StringComparison.Ordinal);
        string path = q < 0 ? target : target[..q];
        string query = q < 0 ? "" : target[(q + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        int i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (lines[i][0] is ' ' or '\t')
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + "\n" + lines[i]);
                continue;
            }

            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..]));
        }

        string body = i < lines.Length ? string.Join('\n', lines[(i + 1)..]) : "";
        return new SigV4Request(method, path, query, headers, Encoding.UTF8.GetBytes(body));
    }
}
