using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Aws.Iam;

/// <summary>A request as the stub saw it on the wire (the message itself is disposed after sending).</summary>
internal sealed record CapturedIamRequest(
    int Index,
    string Method,
    Uri Uri,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    IReadOnlyDictionary<string, string> Form)
{
    public string Action => Form.GetValueOrDefault("Action", "");

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>A handler that answers IAM requests through a delegate and records what was sent.</summary>
internal sealed class StubIamHandler(Func<CapturedIamRequest, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly ConcurrentQueue<CapturedIamRequest> _requests = new();
    private int _count;

    public StubIamHandler(Func<CapturedIamRequest, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public IReadOnlyList<CapturedIamRequest> Requests => [.. _requests.OrderBy(r => r.Index)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            headers[name] = string.Join(",", values);
        }

        foreach (var (name, values) in request.Content?.Headers.NonValidated ?? default)
        {
            headers[name] = string.Join(",", values);
        }

        var recorded = new CapturedIamRequest(Interlocked.Increment(ref _count), request.Method.Method, request.RequestUri!, headers, body, ParseForm(Encoding.UTF8.GetString(body)));
        _requests.Enqueue(recorded);
        return await respond(recorded, cancellationToken);
    }

    private static Dictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);
}

/// <summary>IAM Query API responses as AWS writes them.</summary>
internal static class IamWire
{
    public const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";

    public static string Document(string action, string resultXml, string? ns = Namespace) =>
        $"""
        <{action}Response{(ns is null ? "" : $" xmlns=\"{ns}\"")}>
          <{action}Result>{resultXml}</{action}Result>
          <ResponseMetadata><RequestId>req-{action}</RequestId></ResponseMetadata>
        </{action}Response>
        """;

    public static HttpResponseMessage Ok(string action, string resultXml) => Xml(HttpStatusCode.OK, Document(action, resultXml));

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message = "error", string type = "Sender", string requestId = "req-error") =>
        Xml(status, $"""
            <ErrorResponse xmlns="{Namespace}">
              <Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error>
              <RequestId>{requestId}</RequestId>
            </ErrorResponse>
            """);

    public static HttpResponseMessage Throttling() => Error(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded");

    public static HttpResponseMessage Text(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/html") };

    public static HttpResponseMessage Xml(HttpStatusCode status, string xml) =>
        new(status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };

    public static string Users(bool truncated, string? marker, params string[] names) =>
        "<Users>" + string.Concat(names.Select(n =>
            $"<member><Path>/</Path><UserName>{n}</UserName><UserId>AIDA{n.ToUpperInvariant().PadRight(17, 'X')}</UserId><Arn>arn:aws:iam::111122223333:user/{n}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>"))
        + $"</Users><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>" + (marker is null ? "" : $"<Marker>{marker}</Marker>");
}

internal static class IamTestClients
{
    public static CollectionOptions FastOptions(int maxAttempts = 4, int maxConcurrency = 8) => new()
    {
        MaxAttempts = maxAttempts,
        MaxConcurrentRequestsPerAccount = maxConcurrency,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
    };

    public static IamClient Create(
        HttpMessageHandler handler,
        AWSCredentials? credentials = null,
        CollectionOptions? options = null,
        TimeProvider? timeProvider = null) =>
        new(new HttpClient(handler),
            credentials ?? new SessionAWSCredentials("ASIATESTACCESSKEY", "test-secret-key", "test-session-token"),
            new Uri("https://iam.amazonaws.com/"),
            "us-east-1",
            options ?? FastOptions(),
            timeProvider,
            accountLabel: "111122223333");
}

/// <summary>Refreshing credentials whose every generation is distinct: ASIA0001/token-1, ASIA0002/token-2, ...</summary>
internal sealed class CountingRefreshingCredentials : RefreshingAWSCredentials
{
    private int _generations;

    public int Generations => Volatile.Read(ref _generations);

    protected override CredentialsRefreshState GenerateNewCredentials()
    {
        int n = Interlocked.Increment(ref _generations);
        return new CredentialsRefreshState(
            new ImmutableCredentials($"ASIA{n:D4}", $"secret-{n}", $"token-{n}"),
            DateTime.UtcNow.AddHours(1));
    }

    protected override Task<CredentialsRefreshState> GenerateNewCredentialsAsync() => Task.FromResult(GenerateNewCredentials());
}

/// <summary>Credentials that hand out a new session on every read (as after each refresh).</summary>
internal sealed class RotatingCredentials : AWSCredentials
{
    private int _reads;

    public override ImmutableCredentials GetCredentials()
    {
        int n = Interlocked.Increment(ref _reads);
        return new ImmutableCredentials($"ASIAROTATE{n:D4}", $"rotating-secret-{n}", $"rotating-token-{n}");
    }

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
}

/// <summary>A clock that moves one second forward on every read; timers are the system's.</summary>
internal sealed class SteppingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _reads;

    public override DateTimeOffset GetUtcNow() => start.AddSeconds(Interlocked.Increment(ref _reads));
}

internal static class SignatureAssert
{
    /// <summary>Recomputes the signature of a received request the way AWS would, from the headers and bytes that arrived.</summary>
    public static void Valid(CapturedIamRequest request, ImmutableCredentials credentials)
    {
        string authorization = request.Headers["Authorization"];
        string signedHeaders = authorization.Split("SignedHeaders=")[1].Split(',')[0];
        var headers = signedHeaders.Split(';').Where(h => h != "x-amz-date" && h != "x-amz-security-token")
            .Select(h => new KeyValuePair<string, string>(h, request.Headers[h])).ToList();
        var time = DateTimeOffset.ParseExact(request.Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var expected = new SigV4Signer(new FakeTimeProvider(time)).Sign(
            new SigV4Request(request.Method, request.Uri.AbsolutePath, "", headers, request.Body), credentials, "us-east-1", "iam");

        Assert.Equal(expected.Authorization, authorization);
        Assert.Equal(credentials.UseToken ? credentials.Token : null, request.Headers.GetValueOrDefault("X-Amz-Security-Token"));
    }
}

/// <summary>A federation session whose every STS call yields a new session: ASIASTS0001/sts-token-1, ...</summary>
internal sealed class CountingStsSession(TimeProvider clock)
    : StsSessionCredentials("arn:aws:iam::111122223333:role/IamKeyFuncReader", 3600, new AwsOptions(), clock, NullLogger.Instance)
{
    private readonly TimeProvider _clock = clock;
    private int _calls;

    public int StsCalls => Volatile.Read(ref _calls);

    protected override string OperationName => "AssumeRole";

    protected override Task<Amazon.SecurityToken.Model.Credentials> RequestCredentialsAsync(string sessionName, bool renewInput, CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _calls);
        return Task.FromResult(new Amazon.SecurityToken.Model.Credentials
        {
            AccessKeyId = $"ASIASTS{n:D4}",
            SecretAccessKey = $"sts-secret-{n}",
            SessionToken = $"sts-token-{n}",
            Expiration = _clock.GetUtcNow().UtcDateTime.AddHours(1),
        });
    }

    protected override string? HintFor(AmazonServiceException exception) => null;
}
