using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace IamKeyFunc.Testing.Azure;

/// <summary>Settings of <see cref="FakeKeyVault"/>.</summary>
public sealed class FakeKeyVaultOptions
{
    public string TenantId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The resource named in the bearer challenge; tokens must carry it as <c>aud</c>.</summary>
    public string Resource { get; init; } = "https://vault.azure.net";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Key Vault secrets over HTTPS with the real bearer-challenge flow: a request without a token gets 401 with
/// <c>WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"</c>; with a valid token (audience =
/// the resource, not expired) <c>GET /secrets/{name}[/{version}]?api-version=…</c> answers the Key Vault secret JSON.
/// Knobs: secret rotation (<see cref="SetSecret"/>), <see cref="Forbidden"/> (403 <c>ForbiddenByRbac</c>), unknown
/// secrets (404 <c>SecretNotFound</c>), and <see cref="LoopbackService.Faults"/>.
/// </summary>
/// <remarks>
/// The vault lives at <c>https://127.0.0.1:port/</c>, which <c>SecretClient</c>'s challenge-resource check can never
/// accept; clients in tests set <c>SecretClientOptions.DisableChallengeResourceVerification</c> (see <see cref="AzureFakes.ConfigureServices"/>).
/// </remarks>
public sealed class FakeKeyVault : LoopbackService
{
    private readonly ConcurrentDictionary<string, List<(string Version, string Value)>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private int _secretReads;

    private FakeKeyVault(FakeKeyVaultOptions options) => Options = options;

    public FakeKeyVaultOptions Options { get; }

    public Uri VaultUri => Endpoint;

    /// <summary>When true, every authorized request gets 403 <c>Forbidden</c>/<c>ForbiddenByRbac</c> (no role assignment).</summary>
    public bool Forbidden { get; set; }

    /// <summary>Secrets returned so far (200 answers).</summary>
    public int SecretReads => Volatile.Read(ref _secretReads);

    public static async Task<FakeKeyVault> StartAsync(TestCertificate certificate, FakeKeyVaultOptions? options = null, CancellationToken cancellationToken = default)
    {
        var vault = new FakeKeyVault(options ?? new FakeKeyVaultOptions());
        await vault.StartServerAsync(certificate, cancellationToken);
        return vault;
    }

    /// <summary>Adds a new version of the secret (rotation); returns the version ID.</summary>
    public string SetSecret(string name, string value)
    {
        var version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var versions = _secrets.GetOrAdd(name, _ => []);
        lock (versions)
        {
            versions.Add((version, value));
        }

        return version;
    }

    public void DeleteSecret(string name) => _secrets.TryRemove(name, out _);

    protected override async Task HandleAsync(HttpContext context)
    {
        var token = BearerToken(context.Request);
        var reason = token is null ? null : FakeJwt.Check(token, Options.Resource, Options.TimeProvider.GetUtcNow());
        if (token is null || reason is not null)
        {
            var message = token is null ? "AKV10000: Request is missing a Bearer or PoP token." : $"AKV10022: Invalid token: {reason}.";
            context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{Options.TenantId}\", resource=\"{Options.Resource}\"";
            await Answer(context, 401, "Unauthorized", message);
            return;
        }

        if (await Faults.ApplyAsync(context.RequestAborted, new FaultRequest(null, () => context.Request.Path.Value ?? "")) is { } fault)
        {
            await Answer(context, fault.Status, fault.Status == 429 ? "Throttled" : "InternalServerError", "Injected fault.", fault.RetryAfterSeconds);
            return;
        }

        if (Forbidden)
        {
            await Answer(context, 403, "Forbidden", "Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'.", innerCode: "ForbiddenByRbac");
            return;
        }

        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        if (!HttpMethods.IsGet(context.Request.Method) || segments is not ["secrets", _] and not ["secrets", _, _])
        {
            await Answer(context, 400, "BadParameter", "Only GET /secrets/{name}[/{version}] is served by this fake.");
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await Answer(context, 400, "BadParameter", "The api-version query parameter is required.");
            return;
        }

        var name = segments[1];
        var wanted = segments.Length == 3 ? segments[2] : null;
        (string Version, string Value)? secret = null;
        if (_secrets.TryGetValue(name, out var versions))
        {
            lock (versions)
            {
                secret = wanted is null ? versions[^1] : versions.FirstOrDefault(v => v.Version == wanted) is { Version: not null } found ? found : null;
            }
        }

        if (secret is not { } value)
        {
            await Answer(context, 404, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
            return;
        }

        Interlocked.Increment(ref _secretReads);
        var created = Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        await WriteJsonAsync(context, 200, new Dictionary<string, object>
        {
            ["value"] = value.Value,
            ["id"] = new Uri(VaultUri, $"secrets/{name}/{value.Version}").AbsoluteUri,
            ["attributes"] = new Dictionary<string, object>
            {
                ["enabled"] = true,
                ["created"] = created,
                ["updated"] = created,
                ["recoveryLevel"] = "Recoverable+Purgeable",
                ["recoverableDays"] = 90,
            },
            ["tags"] = new Dictionary<string, string>(),
        });
        Record(context, 0);
    }

    private async Task Answer(HttpContext context, int status, string code, string message, int? retryAfter = null, string? innerCode = null)
    {
        var error = new Dictionary<string, object> { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new Dictionary<string, string> { ["code"] = innerCode };
        }

        await WriteJsonAsync(context, status, new Dictionary<string, object> { ["error"] = error }, retryAfter);
        Record(context, 0, code);
    }
}
