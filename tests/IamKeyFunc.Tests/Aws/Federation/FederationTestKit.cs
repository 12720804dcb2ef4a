using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Aws.Federation;

/// <summary>Shared pieces of the federation tests: options, clock, STS clients against the stand-in, tokens, captured logs.</summary>
internal static class FederationTestKit
{
    public const string CentralRoleArn = "arn:aws:iam::111122223333:role/IamKeyFuncReader";
    public const string Audience = "api://0a1b2c3d-0000-4000-8000-00000000abcd";
    public const string Tenant = "72f988bf-0000-4000-8000-000000000000";
    public const string ManagedIdentityObjectId = "5e0c0b6e-0000-4000-8000-000000000001";

    /// <summary>Marker inside every secret the tests hand out, so one assertion can look for all of them.</summary>
    public const string SecretMarker = "SECRET-DO-NOT-PRINT";

    public static readonly DateTimeOffset Start = new(2026, 9, 15, 12, 0, 0, TimeSpan.Zero);

    public static AwsOptions Options(Action<AwsOptions>? configure = null)
    {
        var options = new AwsOptions
        {
            RoleArn = CentralRoleArn,
            Audience = Audience,
            SessionDurationSeconds = 3600,
            CredentialRefreshWindow = TimeSpan.FromMinutes(10),
            StsTimeout = TimeSpan.FromSeconds(10),
            StsMaxErrorRetry = 2,
            StsMaxRetryBackoff = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public static FakeTimeProvider Clock() => new(Start);

    public static StsClientFactory StsClients(StsStandIn sts, AwsOptions options)
    {
        options.StsEndpoint = sts.Endpoint;
        var httpClientFactory = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new StsClientFactory(httpClientFactory, Microsoft.Extensions.Options.Options.Create(options));
    }

    /// <summary>A fresh set of credentials for a stand-in answer; secrets carry <see cref="SecretMarker"/>.</summary>
    public static StsReply Credentials(TimeProvider clock, int number, TimeSpan? lifetime = null) => StsReply.Credentials(
        $"ASIATESTKEY{number:D9}",
        $"secret-{number}-{SecretMarker}",
        $"session-token-{number}-{SecretMarker}",
        clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)));

    /// <summary>An unsigned, well-formed JWT with the given claims; its signature part carries <see cref="SecretMarker"/>.</summary>
    public static string Jwt(string issuer, string audience, string subject, DateTimeOffset expires, string version = "1.0")
    {
        static string Part(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Part(new { alg = "RS256", typ = "JWT" });
        var payload = Part(new { iss = issuer, aud = audience, sub = subject, oid = subject, ver = version, exp = expires.ToUnixTimeSeconds() });
        return $"{header}.{payload}.{SecretMarker}";
    }

    public static CapturingLoggerFactory Logs() => new();

    public static EntraWebIdentityTokenSource TokenSource(TokenCredential credential, AwsOptions options, ILoggerFactory logs) =>
        new(credential, Microsoft.Extensions.Options.Options.Create(options), logs.CreateLogger<EntraWebIdentityTokenSource>());

    public static WebIdentityCredentials WebIdentity(StsStandIn sts, AwsOptions options, TimeProvider clock, TokenCredential credential, ILoggerFactory logs) =>
        new(
            StsClients(sts, options).Create(Reporting.Configuration.AwsPartition.Aws),
            TokenSource(credential, options, logs),
            options.RoleArn,
            options,
            clock,
            logs.CreateLogger<WebIdentityCredentials>());
}

/// <summary>A <see cref="TokenCredential"/> handing out v1-shaped test JWTs (or whatever <see cref="Next"/> says), counting requests.</summary>
internal sealed class FakeTokenCredential(TimeProvider clock) : TokenCredential
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public ConcurrentQueue<string> Scopes { get; } = new();

    /// <summary>Override the token minted for a request (default: a v1 token for the test audience).</summary>
    public Func<int, AccessToken>? Next { get; set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _requests);
        foreach (var scope in requestContext.Scopes)
        {
            Scopes.Enqueue(scope);
        }

        if (Next is { } next)
        {
            return ValueTask.FromResult(next(number));
        }

        var expires = clock.GetUtcNow().AddHours(1);
        return ValueTask.FromResult(new AccessToken(
            FederationTestKit.Jwt($"https://sts.windows.net/{FederationTestKit.Tenant}/", FederationTestKit.Audience, FederationTestKit.ManagedIdentityObjectId, expires),
            expires));
    }
}

/// <summary>Collects every log line (with exception text) so tests can assert that no secret was written.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string AllText => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
    }
}
