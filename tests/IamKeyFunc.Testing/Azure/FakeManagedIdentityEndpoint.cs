using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;
using IamKeyFunc.AwsEmulator;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Testing.Azure;

/// <summary>Identity and token settings of <see cref="FakeManagedIdentityEndpoint"/>.</summary>
public sealed class FakeManagedIdentityOptions
{
    public string TenantId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The identity's object (principal) ID: the token's <c>sub</c> and <c>oid</c> (what an AWS trust policy pins).</summary>
    public string PrincipalId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The identity's client ID: the token's <c>appid</c>; a request's <c>client_id</c> must equal it.</summary>
    public string ClientId { get; init; } = Guid.NewGuid().ToString();

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>When set, only these resources get tokens; others get 400 <c>AADSTS500011</c> like Entra for an unknown resource.</summary>
    public IReadOnlySet<string>? KnownResources { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>One token request as the endpoint saw it.</summary>
public sealed record ManagedIdentityRequest(string? Resource, string? ClientId, string? ApiVersion, bool IdentityHeaderValid, int Status);

/// <summary>
/// The App Service / Functions managed-identity endpoint (<c>IDENTITY_ENDPOINT</c> + <c>IDENTITY_HEADER</c>):
/// <c>GET {endpoint}?resource=…&amp;api-version=2019-08-01</c> with <c>X-IDENTITY-HEADER</c>, optional
/// <c>client_id</c>; answers <c>{access_token, expires_on, resource, token_type, client_id}</c> with a v1-shaped JWT
/// per resource (<c>iss=https://sts.windows.net/{tenant}/</c>, <c>aud</c>=resource, <c>sub</c>=<c>oid</c>=principal ID).
/// Plain HTTP on loopback, as the real endpoint is.
/// </summary>
public sealed class FakeManagedIdentityEndpoint : LoopbackService
{
    private readonly ConcurrentQueue<ManagedIdentityRequest> _tokenRequests = new();
    private readonly ConcurrentQueue<string> _issued = new();

    private FakeManagedIdentityEndpoint(FakeManagedIdentityOptions options) => Options = options;

    public FakeManagedIdentityOptions Options { get; }

    /// <summary>The secret clients must send as <c>X-IDENTITY-HEADER</c> (the value of <c>IDENTITY_HEADER</c>).</summary>
    public string IdentityHeader { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The value of <c>IDENTITY_ENDPOINT</c>.</summary>
    public Uri TokenEndpoint => new(Endpoint, "msi/token");

    /// <summary>
    /// What makes <c>ManagedIdentityCredential</c>/<c>DefaultAzureCredential</c> use this endpoint (App Service flavour);
    /// the other identity sources' variables are cleared. Apply with <see cref="EnvironmentVariableScope"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> EnvironmentVariables => new Dictionary<string, string?>
    {
        ["IDENTITY_ENDPOINT"] = TokenEndpoint.AbsoluteUri,
        ["IDENTITY_HEADER"] = IdentityHeader,
        ["IDENTITY_SERVER_THUMBPRINT"] = null,
        ["IMDS_ENDPOINT"] = null,
        ["MSI_ENDPOINT"] = null,
        ["MSI_SECRET"] = null,
    };

    public IReadOnlyList<ManagedIdentityRequest> TokenRequests => [.. _tokenRequests];

    /// <summary>Every access token handed out (for asserting that none leaks into logs).</summary>
    public IReadOnlyList<string> IssuedTokens => [.. _issued];

    public static async Task<FakeManagedIdentityEndpoint> StartAsync(FakeManagedIdentityOptions? options = null, CancellationToken cancellationToken = default)
    {
        var endpoint = new FakeManagedIdentityEndpoint(options ?? new FakeManagedIdentityOptions());
        await endpoint.StartServerAsync(null, cancellationToken);
        return endpoint;
    }

    /// <summary>A token the endpoint would issue for <paramref name="resource"/> (v1 shape, minted by the AWS emulator's <see cref="TestJwt"/> so the emulator accepts it), recorded as issued.</summary>
    public string MintToken(string resource, DateTimeOffset expires)
    {
        var token = TestJwt.Create(
            FakeJwt.V1Issuer(Options.TenantId),
            resource,
            Options.PrincipalId,
            expires,
            issuedAt: Options.TimeProvider.GetUtcNow(),
            appId: Options.ClientId,
            objectId: Options.PrincipalId);
        _issued.Enqueue(token);
        return token;
    }

    /// <summary>
    /// A <see cref="TokenCredential"/> speaking the same protocol to this endpoint without environment variables, so
    /// tests can run in parallel (<c>scope</c> <c>{resource}/.default</c> becomes <c>resource</c>). No caching: every call is a request.
    /// </summary>
    public TokenCredential CreateCredential(string? clientId = null) => new Credential(this, clientId);

    protected override async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var resource = query["resource"].ToString();
        var clientId = query.TryGetValue("client_id", out var id) ? id.ToString() : null;
        var apiVersion = query["api-version"].ToString();
        var headerValid = context.Request.Headers["X-IDENTITY-HEADER"] == IdentityHeader;

        var (status, body, retryAfter) = await AnswerAsync(context, resource, clientId, apiVersion, headerValid);
        await WriteJsonAsync(context, status, body, retryAfter);
        _tokenRequests.Enqueue(new ManagedIdentityRequest(resource, clientId, apiVersion, headerValid, status));
        Record(context, 0);
    }

    private async Task<(int Status, object Body, int? RetryAfter)> AnswerAsync(HttpContext context, string resource, string? clientId, string apiVersion, bool headerValid)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != "/msi/token")
        {
            return (404, Error(404, "Not found."), null);
        }

        if (!headerValid)
        {
            return (400, Error(400, "The X-IDENTITY-HEADER header is missing or invalid."), null);
        }

        if (apiVersion != "2019-08-01")
        {
            return (400, Error(400, $"Unsupported api-version '{apiVersion}'."), null);
        }

        if (string.IsNullOrEmpty(resource))
        {
            return (400, Error(400, "The resource parameter is required."), null);
        }

        if (clientId is not null && !string.Equals(clientId, Options.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return (400, Error(400, $"Identity not found: no user-assigned identity with client ID {clientId} is assigned to this app."), null);
        }

        if (await Faults.ApplyAsync(context.RequestAborted, new FaultRequest(null, () => context.Request.Path.Value ?? "")) is { } fault)
        {
            return (fault.Status, Error(fault.Status, "Injected fault."), fault.RetryAfterSeconds);
        }

        if (Options.KnownResources is { } known && !known.Contains(resource))
        {
            return (400, Error(400, $"AADSTS500011: The resource principal named {resource} was not found in the tenant named {Options.TenantId}."), null);
        }

        var expires = Options.TimeProvider.GetUtcNow().Add(Options.TokenLifetime);
        return (200, new Dictionary<string, string>
        {
            ["access_token"] = MintToken(resource, expires),
            ["expires_on"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = Options.ClientId,
        }, null);
    }

    private static Dictionary<string, object> Error(int status, string message) => new() { ["statusCode"] = status, ["message"] = message };

    private sealed class Credential(FakeManagedIdentityEndpoint endpoint, string? clientId) : TokenCredential
    {
        private static readonly HttpClient Http = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var scope = requestContext.Scopes.Single();
            var resource = scope.EndsWith("/.default", StringComparison.Ordinal) ? scope[..^"/.default".Length] : scope;
            var uri = $"{endpoint.TokenEndpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}"
                + (clientId is null ? "" : $"&client_id={Uri.EscapeDataString(clientId)}");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Add("X-IDENTITY-HEADER", endpoint.IdentityHeader);
            using var response = await Http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new global::Azure.Identity.AuthenticationFailedException($"The managed identity endpoint answered {(int)response.StatusCode}.");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(body.GetProperty("expires_on").GetString()!, CultureInfo.InvariantCulture));
            return new AccessToken(body.GetProperty("access_token").GetString()!, expires);
        }
    }
}
