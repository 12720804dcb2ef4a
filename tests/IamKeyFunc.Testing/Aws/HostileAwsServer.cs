using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Testing.Aws;

/// <summary>The fault classes <see cref="HostileAwsServer"/> can serve.</summary>
public enum HostileMode
{
    /// <summary>Everything is passed through unchanged.</summary>
    None,

    /// <summary>The answer's body trickles in at one byte per <see cref="HostileAwsServer.TrickleInterval"/>.</summary>
    TrickleBody,

    /// <summary><c>ListUsers</c> markers cycle A → B → A.</summary>
    MarkerCycle,

    /// <summary><c>ListUsers</c> gives a new marker on every page, with no users, forever.</summary>
    EndlessMarkers,

    /// <summary>An HTML page with status 200.</summary>
    Html200,

    /// <summary>Another service's well-formed XML answer with status 200.</summary>
    ForeignXml200,

    /// <summary>An AWS <c>&lt;ErrorResponse&gt;</c> sent with status 200.</summary>
    ErrorResponse200,

    /// <summary>Every <c>CreateDate</c> is an epoch far outside the range of dates.</summary>
    HugeEpochDate,

    /// <summary>Every <c>CreateDate</c> is text that is no date.</summary>
    GarbageDate,

    /// <summary>
    /// The credential report's CSV carries a byte that is not UTF-8, after the first comma of the line of
    /// <see cref="HostileAwsServer.ReportLineUser"/> (the first data line, the root's, when null).
    /// </summary>
    NonUtf8Report,

    /// <summary>Every <c>ListUsers</c> and <c>ListAccessKeys</c> member is listed twice.</summary>
    DuplicateMembers,

    /// <summary>
    /// The server's clock is <see cref="HostileAwsServer.ClockOffset"/> off ours: requests signed more than 5 minutes
    /// from it get <c>SignatureDoesNotMatch</c> "Signature expired", with the server's time in <c>Date</c>.
    /// </summary>
    ClockSkew,

    /// <summary>The credential report says it was generated on 2015-01-01.</summary>
    StaleReport,

    /// <summary>A 400 <c>ValidationError</c> whose message quotes the whole request body (an STS would quote the web-identity token).</summary>
    EchoRequestInError,

    /// <summary>
    /// <c>ListAccessKeys</c> also lists <see cref="HostileAwsServer.ForeignAccessKeyId"/> (another user's key) as the
    /// requested user's: one key ID under two users.
    /// </summary>
    ForeignKeyListed,

    /// <summary>
    /// A 400 error (<see cref="HostileAwsServer.EchoCode"/>) whose message quotes <see cref="HostileAwsServer.Echo"/> of a
    /// secret the server has seen (<see cref="HostileAwsServer.EchoedSecret"/>): part of it, encoded, or whole.
    /// </summary>
    EchoSecretInError,

    /// <summary>An AWS error answer: <see cref="HostileAwsServer.ErrorStatus"/>, <see cref="HostileAwsServer.ErrorCode"/> and <see cref="HostileAwsServer.ErrorText"/>.</summary>
    Error,
}

/// <summary>The secrets <see cref="HostileAwsServer"/> can echo back.</summary>
public enum EchoedSecret
{
    /// <summary>The request's <c>WebIdentityToken</c> (the Entra JWT of <c>AssumeRoleWithWebIdentity</c>).</summary>
    WebIdentityToken,

    /// <summary>The request's <c>X-Amz-Security-Token</c> header (the signing session's token).</summary>
    SessionToken,

    /// <summary>The <c>SecretAccessKey</c> of the session that signed the request, from the STS answer that issued it (so the server knows it).</summary>
    SecretAccessKey,
}

/// <summary>
/// A hostile AWS endpoint for tests: Kestrel on <c>127.0.0.1:0</c> in front of a real upstream (the AWS emulator),
/// passing requests through with their signatures intact and answering the operation <see cref="Operation"/> (every
/// operation when null) the way <see cref="Mode"/> says. One mode per fault class of a hostile or broken service.
/// </summary>
public sealed partial class HostileAwsServer : IAsyncDisposable
{
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _echoed = new();
    private readonly ConcurrentDictionary<string, string> _issuedSecrets = new(StringComparer.Ordinal);
    private readonly HttpClient _upstreamClient = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private WebApplication? _app;
    private int _endless;

    private HostileAwsServer()
    {
    }

    /// <summary>Where requests are passed through to (the emulator); set before the first request.</summary>
    public Uri? Upstream { get; set; }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public HostileMode Mode { get; set; }

    /// <summary>The operation the mode applies to; every operation when null.</summary>
    public string? Operation { get; set; }

    /// <summary>When set, the mode applies only to requests whose <c>UserName</c> parameter is this user (one account's user).</summary>
    public string? UserName { get; set; }

    public TimeSpan TrickleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>In <see cref="HostileMode.NonUtf8Report"/>: the user whose report line gets the bad byte; null for the first data line.</summary>
    public string? ReportLineUser { get; set; }

    /// <summary>In <see cref="HostileMode.EchoSecretInError"/>: which secret is echoed.</summary>
    public EchoedSecret EchoedSecret { get; set; }

    /// <summary>In <see cref="HostileMode.EchoSecretInError"/>: what of the secret the message quotes (a part, an encoding); the whole secret by default.</summary>
    public Func<string, string> Echo { get; set; } = secret => secret;

    /// <summary>In <see cref="HostileMode.EchoSecretInError"/>: the error code (not retried by clients).</summary>
    public string EchoCode { get; set; } = "ValidationError";

    /// <summary>In <see cref="HostileMode.Error"/>: the HTTP status.</summary>
    public int ErrorStatus { get; set; } = 403;

    /// <summary>In <see cref="HostileMode.Error"/>: the error code.</summary>
    public string ErrorCode { get; set; } = "AccessDenied";

    /// <summary>In <see cref="HostileMode.Error"/>: the error message.</summary>
    public string ErrorText { get; set; } = "Access denied.";

    /// <summary>Every secret the server echoed, as it echoed it, for tests to look for.</summary>
    public IReadOnlyCollection<string> Echoed => [.. _echoed];

    /// <summary>In <see cref="HostileMode.ForeignKeyListed"/>: the key ID listed as well.</summary>
    public string? ForeignAccessKeyId { get; set; }

    /// <summary>How far the server's clock is ahead of ours in <see cref="HostileMode.ClockSkew"/>.</summary>
    public TimeSpan ClockOffset { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests received for <paramref name="operation"/>.</summary>
    public int Calls(string operation) => _calls.GetValueOrDefault(operation);

    public static async Task<HostileAwsServer> StartAsync(Uri? upstream = null, CancellationToken cancellationToken = default)
    {
        var server = new HostileAwsServer { Upstream = upstream };
        (server._app, server.Endpoint) = await LoopbackKestrel.StartAsync(server.HandleAsync, cancellationToken: cancellationToken);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        byte[] body = buffer.ToArray();
        string action = FormValue(Encoding.UTF8.GetString(body), "Action") ?? "";
        _calls.AddOrUpdate(action, 1, (_, n) => n + 1);
        string form = Encoding.UTF8.GetString(body);
        bool targeted = (Operation is null || Operation == action) && (UserName is null || FormValue(form, "UserName") == UserName);
        var mode = targeted ? Mode : HostileMode.None;

        switch (mode)
        {
            case HostileMode.MarkerCycle when action == "ListUsers":
                await WriteAsync(context, 200, "text/xml", ListUsersPage(FormValue(Encoding.UTF8.GetString(body), "Marker") switch
                {
                    null => ("cycle-a", "MarkerA"),
                    "MarkerA" => ("cycle-b", "MarkerB"),
                    _ => ("cycle-c", "MarkerA"),
                }));
                return;
            case HostileMode.EndlessMarkers when action == "ListUsers":
                await WriteAsync(context, 200, "text/xml", ListUsersPage((null, $"Marker{Interlocked.Increment(ref _endless)}")));
                return;
            case HostileMode.Html200:
                await WriteAsync(context, 200, "text/html", "<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>It works.</p></body></html>");
                return;
            case HostileMode.ForeignXml200:
                await WriteAsync(context, 200, "text/xml",
                    "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult><Roles/><IsTruncated>false</IsTruncated></ListRolesResult><ResponseMetadata><RequestId>foreign</RequestId></ResponseMetadata></ListRolesResponse>");
                return;
            case HostileMode.ErrorResponse200:
                await WriteAsync(context, 200, "text/xml",
                    "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied, but with 200</Message></Error><RequestId>err200</RequestId></ErrorResponse>");
                return;
            case HostileMode.EchoRequestInError:
                await WriteAsync(context, 400, "text/xml",
                    $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Could not process the request: {System.Security.SecurityElement.Escape(form)}</Message></Error><RequestId>echo</RequestId></ErrorResponse>");
                return;
            case HostileMode.EchoSecretInError when SecretFor(context, form) is { } secret:
                var echoed = Echo(secret);
                _echoed.Enqueue(echoed);
                await WriteAsync(context, 400, "text/xml",
                    $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{EchoCode}</Code><Message>Could not process the request near '{System.Security.SecurityElement.Escape(echoed)}'.</Message></Error><RequestId>echo-secret</RequestId></ErrorResponse>");
                return;
            case HostileMode.Error:
                await WriteAsync(context, ErrorStatus, "text/xml",
                    $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{ErrorCode}</Code><Message>{System.Security.SecurityElement.Escape(ErrorText)}</Message></Error><RequestId>hostile-error</RequestId></ErrorResponse>");
                return;
            case HostileMode.ClockSkew when SkewError(context.Request.Headers["X-Amz-Date"].ToString()) is { } skewError:
                context.Response.Headers.Date = (DateTimeOffset.UtcNow + ClockOffset).ToString("r", CultureInfo.InvariantCulture);
                await WriteAsync(context, 403, "text/xml",
                    $"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>{skewError}</Message></Error><RequestId>skew</RequestId></ErrorResponse>");
                return;
        }

        var (status, contentType, answer) = await ForwardAsync(context, body);
        if (IssuedCredentials().Match(answer) is { Success: true } issued)
        {
            _issuedSecrets[issued.Groups[1].Value] = issued.Groups[2].Value;
        }

        answer = mode switch
        {
            HostileMode.HugeEpochDate => CreateDate().Replace(answer, "<CreateDate>1e20</CreateDate>"),
            HostileMode.GarbageDate => CreateDate().Replace(answer, "<CreateDate>the day before yesterday</CreateDate>"),
            HostileMode.NonUtf8Report when action == "GetCredentialReport" => BreakReportEncoding(answer, ReportLineUser),
            HostileMode.ForeignKeyListed when action == "ListAccessKeys" && ForeignAccessKeyId is { } foreign => AddForeignKey(answer, FormValue(form, "UserName") ?? "", foreign),
            HostileMode.DuplicateMembers when action is "ListUsers" or "ListAccessKeys" => Member().Replace(answer, "$0$0"),
            HostileMode.StaleReport when action == "GetCredentialReport" => GeneratedTime().Replace(answer, "<GeneratedTime>2015-01-01T00:00:00Z</GeneratedTime>"),
            _ => answer,
        };

        if (mode == HostileMode.TrickleBody)
        {
            await TrickleAsync(context, status, contentType, answer);
            return;
        }

        await WriteAsync(context, status, contentType, answer);
    }

    private async Task<(int Status, string ContentType, string Body)> ForwardAsync(HttpContext context, byte[] body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(Upstream ?? throw new InvalidOperationException("No upstream set."), context.Request.Path + context.Request.QueryString))
        {
            Content = new ByteArrayContent(body),
        };
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            else if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _upstreamClient.SendAsync(request, context.RequestAborted);
        string text = await response.Content.ReadAsStringAsync(context.RequestAborted);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "text/xml", text);
    }

    private string? SecretFor(HttpContext context, string form) => EchoedSecret switch
    {
        EchoedSecret.WebIdentityToken => FormValue(form, "WebIdentityToken"),
        EchoedSecret.SessionToken => context.Request.Headers["X-Amz-Security-Token"].FirstOrDefault(),
        _ => SigningKeyId().Match(context.Request.Headers.Authorization.ToString()) is { Success: true } signer
            ? _issuedSecrets.GetValueOrDefault(signer.Groups[1].Value)
            : null,
    };

    private string? SkewError(string amzDate)
    {
        var serverNow = DateTimeOffset.UtcNow + ClockOffset;
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signed))
        {
            return null;
        }

        string Format(DateTimeOffset t) => t.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return signed < serverNow - AllowedSkew
            ? $"Signature expired: {amzDate} is now earlier than {Format(serverNow - AllowedSkew)} ({Format(serverNow)} - 5 min.)"
            : signed > serverNow + AllowedSkew ? $"Signature not yet current: {amzDate} is still later than {Format(serverNow + AllowedSkew)}" : null;
    }

    private static string ListUsersPage((string? User, string Marker) page)
    {
        string users = page.User is null ? "" :
            $"<member><Path>/</Path><UserName>{page.User}</UserName><UserId>AIDA{page.User.ToUpperInvariant().Replace("-", "")}XXXXXXXX</UserId><Arn>arn:aws:iam::111122223333:user/{page.User}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>";
        return $"<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult><Users>{users}</Users><IsTruncated>true</IsTruncated><Marker>{page.Marker}</Marker></ListUsersResult><ResponseMetadata><RequestId>page</RequestId></ResponseMetadata></ListUsersResponse>";
    }

    /// <summary>Puts a 0xFF byte (never valid UTF-8) after the first comma of the report line of <paramref name="user"/> (the first data line when null).</summary>
    private static string BreakReportEncoding(string answer, string? user) => ReportContent().Replace(answer, match =>
    {
        var csv = Convert.FromBase64String(match.Groups[1].Value).ToList();
        int lineStart = csv.IndexOf((byte)'\n') + 1;
        if (user is not null)
        {
            var prefix = Encoding.UTF8.GetBytes($"\n{user},");
            lineStart = Enumerable.Range(0, csv.Count - prefix.Length).First(i => csv.Skip(i).Take(prefix.Length).SequenceEqual(prefix)) + 1;
        }

        csv.Insert(csv.IndexOf((byte)',', lineStart) + 1, 0xFF);
        return $"<Content>{Convert.ToBase64String([.. csv])}</Content>";
    });

    /// <summary>Adds an active key <paramref name="accessKeyId"/> of <paramref name="user"/> to a <c>ListAccessKeys</c> answer.</summary>
    private static string AddForeignKey(string answer, string user, string accessKeyId)
    {
        var member = $"<member><UserName>{System.Security.SecurityElement.Escape(user)}</UserName><AccessKeyId>{accessKeyId}</AccessKeyId><Status>Active</Status><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>";
        return answer.Contains("<AccessKeyMetadata/>", StringComparison.Ordinal)
            ? answer.Replace("<AccessKeyMetadata/>", $"<AccessKeyMetadata>{member}</AccessKeyMetadata>", StringComparison.Ordinal)
            : answer.Replace("</AccessKeyMetadata>", $"{member}</AccessKeyMetadata>", StringComparison.Ordinal);
    }

    private async Task TrickleAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        try
        {
            foreach (byte b in bytes)
            {
                await context.Response.Body.WriteAsync(new[] { b }, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(TrickleInterval, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client gave up, as it should.
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted);
    }

    private static string? FormValue(string form, string name) =>
        form.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => Uri.UnescapeDataString(p[0]) == name)
            .Select(p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "")
            .FirstOrDefault();

    [GeneratedRegex("<CreateDate>[^<]*</CreateDate>")]
    private static partial Regex CreateDate();

    [GeneratedRegex("<member>(?:(?!<member>).)*?</member>", RegexOptions.Singleline)]
    private static partial Regex Member();

    [GeneratedRegex("<GeneratedTime>[^<]*</GeneratedTime>")]
    private static partial Regex GeneratedTime();

    [GeneratedRegex("<AccessKeyId>([^<]*)</AccessKeyId>\\s*<SecretAccessKey>([^<]*)</SecretAccessKey>")]
    private static partial Regex IssuedCredentials();

    [GeneratedRegex("Credential=([A-Z0-9]+)/")]
    private static partial Regex SigningKeyId();

    [GeneratedRegex("<Content>([^<]*)</Content>")]
    private static partial Regex ReportContent();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _upstreamClient.Dispose();
    }
}
