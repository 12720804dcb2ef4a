using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Tests.Aws.Federation;

/// <summary>What the stand-in received: the Query API action and form, and the SigV4 headers (if any).</summary>
internal sealed record StsCall(string Action, IReadOnlyDictionary<string, string> Form, string? Authorization, string? SecurityToken)
{
    public string this[string name] => Form.TryGetValue(name, out var value) ? value : "";
}

/// <summary>What the stand-in answers: credentials, or an STS error (<c>ErrorResponse</c>).</summary>
internal abstract record StsReply
{
    public static StsReply Credentials(string accessKeyId, string secretAccessKey, string sessionToken, DateTimeOffset expiration) =>
        new CredentialsReply(accessKeyId, secretAccessKey, sessionToken, expiration);

    public static StsReply Error(HttpStatusCode status, string code, string message) => new ErrorReply(status, code, message);
}

internal sealed record CredentialsReply(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration) : StsReply;

internal sealed record ErrorReply(HttpStatusCode Status, string Code, string Message) : StsReply;

/// <summary>
/// A tiny loopback STS (Kestrel on 127.0.0.1:0) speaking the Query protocol of the STS model
/// (<c>AssumeRoleWithWebIdentity</c>, <c>AssumeRole</c>): form-encoded POST in, XML out. The test decides each answer.
/// </summary>
internal sealed class StsStandIn : IAsyncDisposable
{
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StsCall> _calls = new();
    private Func<StsCall, Task<StsReply>> _handler;

    private StsStandIn(WebApplication app, Func<StsCall, Task<StsReply>> handler)
    {
        _app = app;
        _handler = handler;
    }

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<StsCall> Calls => [.. _calls];

    public int CallCount => _calls.Count;

    public static Task<StsStandIn> StartAsync(Func<StsCall, StsReply> handler) => StartAsync(call => Task.FromResult(handler(call)));

    public static async Task<StsStandIn> StartAsync(Func<StsCall, Task<StsReply>> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new StsStandIn(app, handler);
        app.MapPost("/", standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Endpoint = new Uri(address.EndsWith('/') ? address : address + "/");
        return standIn;
    }

    /// <summary>Replaces how the stand-in answers from now on.</summary>
    public void Answer(Func<StsCall, StsReply> handler) => _handler = call => Task.FromResult(handler(call));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var values = form.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal);
        var call = new StsCall(
            values.GetValueOrDefault("Action", ""),
            values,
            context.Request.Headers.Authorization.FirstOrDefault(),
            context.Request.Headers["X-Amz-Security-Token"].FirstOrDefault());
        _calls.Enqueue(call);

        var reply = await _handler(call);
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Response.ContentType = "text/xml";
        switch (reply)
        {
            case CredentialsReply credentials:
                await context.Response.WriteAsync(SuccessXml(call, credentials, requestId));
                break;
            case ErrorReply error:
                context.Response.StatusCode = (int)error.Status;
                await context.Response.WriteAsync(
                    $"<ErrorResponse xmlns=\"{Namespace}\"><Error><Type>Sender</Type><Code>{Escape(error.Code)}</Code>" +
                    $"<Message>{Escape(error.Message)}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>");
                break;
        }
    }

    private static string SuccessXml(StsCall call, CredentialsReply credentials, string requestId)
    {
        var roleArn = call["RoleArn"];
        var sessionName = call["RoleSessionName"];
        var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        var assumedRoleArn = roleArn.Replace(":iam::", ":sts::", StringComparison.Ordinal).Replace(":role/", ":assumed-role/", StringComparison.Ordinal) + "/" + sessionName;
        var webIdentity = call.Action == "AssumeRoleWithWebIdentity"
            ? "<SubjectFromWebIdentityToken>00000000-0000-0000-0000-000000000001</SubjectFromWebIdentityToken><Audience>api://test</Audience><Provider>https://sts.windows.net/tenant/</Provider>"
            : "";
        return $"""
            <{call.Action}Response xmlns="{Namespace}">
              <{call.Action}Result>
                {webIdentity}
                <AssumedRoleUser><Arn>{Escape(assumedRoleArn)}</Arn><AssumedRoleId>AROAEXAMPLE:{Escape(sessionName)}</AssumedRoleId></AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>{Escape(credentials.AccessKeyId)}</AccessKeyId>
                  <SecretAccessKey>{Escape(credentials.SecretAccessKey)}</SecretAccessKey>
                  <SessionToken>{Escape(credentials.SessionToken)}</SessionToken>
                  <Expiration>{credentials.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</Expiration>
                </Credentials>
              </{call.Action}Result>
              <ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata>
            </{call.Action}Response>
            """;
    }

    private static string Escape(string value) => SecurityElement.Escape(value);
}
