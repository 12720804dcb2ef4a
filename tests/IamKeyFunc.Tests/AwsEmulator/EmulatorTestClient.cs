using IamKeyFunc.AwsEmulator.Hosting;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using IamKeyFunc.AwsEmulator;

namespace IamKeyFunc.Tests.AwsEmulator;

internal sealed record TestCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken);

/// <summary>An answer from the emulator: status and the XML body, with the Query-protocol error fields.</summary>
internal sealed record AwsAnswer(HttpStatusCode Status, XDocument Xml, HttpResponseMessage Response)
{
    public XNamespace Ns => Xml.Root!.Name.Namespace;

    public string? ErrorCode => Xml.Root?.Name.LocalName == "ErrorResponse" ? Xml.Descendants(Ns + "Code").Single().Value : null;

    public string? ErrorMessage => Xml.Descendants(Ns + "Message").SingleOrDefault()?.Value;

    public string? ErrorType => Xml.Descendants(Ns + "Type").SingleOrDefault()?.Value;

    /// <summary>The value of the first element with this local name.</summary>
    public string? Value(string name) => Xml.Descendants(Ns + name).FirstOrDefault()?.Value;

    public IReadOnlyList<string> Values(string name) => [.. Xml.Descendants(Ns + name).Select(e => e.Value)];
}

/// <summary>
/// Raw Query-protocol calls to the emulator with a deliberately separate, minimal SigV4 signer (so the emulator's
/// verifier is checked against an independent implementation).
/// </summary>
internal sealed class EmulatorTestClient(AwsEmulatorServer emulator) : IDisposable
{
    private readonly HttpClient _http = new();

    public async Task<AwsAnswer> PostAsync(
        IEnumerable<KeyValuePair<string, string>> parameters,
        TestCredentials? credentials = null,
        string service = "iam",
        string region = "us-east-1",
        DateTimeOffset? signingTime = null,
        Func<string, string>? tamperBodyAfterSigning = null)
    {
        var body = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, emulator.Endpoint);
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        if (credentials is not null)
        {
            var time = signingTime ?? emulator.Options.TimeProvider.GetUtcNow();
            var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var date = amzDate[..8];
            var host = emulator.Endpoint.Authority;
            var canonical = $"POST\n/\n\ncontent-type:{contentType}\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-security-token:{credentials.SessionToken}\n\n" +
                            $"content-type;host;x-amz-date;x-amz-security-token\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}";
            var scope = $"{date}/{region}/{service}/aws4_request";
            var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var key = Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey);
            foreach (var part in new[] { date, region, service, "aws4_request" })
            {
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
            }

            var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
            request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
            request.Headers.TryAddWithoutValidation("Authorization",
                $"AWS4-HMAC-SHA256 Credential={credentials.AccessKeyId}/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature={signature}");
        }

        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(tamperBodyAfterSigning?.Invoke(body) ?? body));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new AwsAnswer(response.StatusCode, XDocument.Parse(text), response);
    }

    public Task<AwsAnswer> IamAsync(TestCredentials credentials, string action, params (string Name, string Value)[] parameters) =>
        PostAsync(Parameters(action, "2010-05-08", parameters), credentials);

    /// <summary>Trades a scenario token for a central-role session (raw, unsigned AssumeRoleWithWebIdentity).</summary>
    public async Task<TestCredentials> AssumeCentralRoleAsync(string sessionName = "emulator-test")
    {
        var scenario = emulator.Scenario;
        var token = TestJwt.ForScenario(scenario, emulator.Options.TimeProvider.GetUtcNow() + TimeSpan.FromHours(1));
        var answer = await PostAsync(Parameters("AssumeRoleWithWebIdentity", "2011-06-15",
            ("RoleArn", scenario.CentralRoleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return new TestCredentials(answer.Value("AccessKeyId")!, answer.Value("SecretAccessKey")!, answer.Value("SessionToken")!);
    }

    /// <summary>Chains into a role with a signed AssumeRole (raw).</summary>
    public async Task<TestCredentials> AssumeRoleAsync(TestCredentials caller, string roleArn)
    {
        var answer = await PostAsync(Parameters("AssumeRole", "2011-06-15", ("RoleArn", roleArn), ("RoleSessionName", "chained")), caller, service: "sts");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return new TestCredentials(answer.Value("AccessKeyId")!, answer.Value("SecretAccessKey")!, answer.Value("SessionToken")!);
    }

    public static List<KeyValuePair<string, string>> Parameters(string action, string version, params (string Name, string Value)[] parameters) =>
        [new("Action", action), new("Version", version), .. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))];

    public void Dispose() => _http.Dispose();

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
