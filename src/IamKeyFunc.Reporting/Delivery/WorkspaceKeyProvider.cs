using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// Reads the Log Analytics workspace shared key from Key Vault (<c>IamKey:DataCollector:KeyVaultUri</c>, secret
/// <c>IamKey:DataCollector:WorkspaceKeySecretName</c>) with the injected <see cref="TokenCredential"/>, and keeps it
/// in memory for <c>IamKey:DataCollector:KeyCacheDuration</c>. <see cref="Invalidate"/> drops it so the next call
/// reads the (rotated) secret again.
/// </summary>
/// <remarks>
/// <see cref="SecretClient"/> sends through the named <see cref="IHttpClientFactory"/> client
/// <see cref="HttpClientName"/> (an <see cref="HttpClientTransport"/>). That client has no resilience handler on
/// purpose: the Azure SDK pipeline already retries (429/5xx/connection faults, honouring <c>Retry-After</c>), so its
/// retry options are set from <c>IamKey:Delivery</c> (<c>MaxAttempts</c>, <c>RetryBaseDelay</c>, <c>RetryMaxDelay</c>,
/// <c>RequestTimeout</c>) instead of stacking a second retry layer underneath it.
/// </remarks>
public class WorkspaceKeyProvider
{
    public const string HttpClientName = "IamKey.KeyVault";

    private readonly DataCollectorOptions _options;
    private readonly DeliveryOptions _delivery;
    private readonly TokenCredential _credential;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<WorkspaceKeyProvider> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CachedKey? _cached;

    public WorkspaceKeyProvider(
        IOptions<DataCollectorOptions> options,
        IOptions<DeliveryOptions> delivery,
        TokenCredential credential,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ILogger<WorkspaceKeyProvider> logger)
    {
        _options = options.Value;
        _delivery = delivery.Value;
        _credential = credential;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>For mocking only.</summary>
    protected WorkspaceKeyProvider()
    {
        _options = new DataCollectorOptions();
        _delivery = new DeliveryOptions();
        _credential = null!;
        _httpClientFactory = null!;
        _timeProvider = TimeProvider.System;
        _logger = null!;
    }

    private Uri VaultUri => _options.KeyVaultUri ?? throw new InvalidOperationException("IamKey:DataCollector:KeyVaultUri is not set.");

    /// <summary>The cached key, or the secret read from Key Vault when the cache is empty or older than the cache duration.</summary>
    /// <exception cref="WorkspaceKeyException">Key Vault could not be read, or the secret is not a base64 key.</exception>
    public virtual async ValueTask<WorkspaceKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        if (TryGetFresh() is { } key)
        {
            return key;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have read it while this one waited.
            if (TryGetFresh() is { } fresh)
            {
                return fresh;
            }

            var read = await ReadAsync(cancellationToken).ConfigureAwait(false);
            _cached = new CachedKey(read, _timeProvider.GetUtcNow());
            return read;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the cached key (the workspace rejected it); the next <see cref="GetKeyAsync"/> reads Key Vault.</summary>
    public virtual void Invalidate()
    {
        _cached = null;
        _logger.LogInformation("Dropped the cached workspace key; the next request reads secret {SecretName} from {VaultUri} again", _options.WorkspaceKeySecretName, VaultUri);
    }

    private WorkspaceKey? TryGetFresh() =>
        _cached is { } cached && _timeProvider.GetUtcNow() - cached.ReadAt < _options.KeyCacheDuration ? cached.Key : null;

    private async Task<WorkspaceKey> ReadAsync(CancellationToken cancellationToken)
    {
        var vault = VaultUri;
        var name = _options.WorkspaceKeySecretName;
        KeyVaultSecret secret;
        try
        {
            var client = new SecretClient(vault, _credential, CreateClientOptions());
            secret = (await client.GetSecretAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403 or 404)
        {
            var hint = ex.Status == 404
                ? "check IamKey:DataCollector:WorkspaceKeySecretName"
                : "grant the Function's identity 'Key Vault Secrets User' on the vault";
            throw Fail($"Key Vault {vault} refused to return secret '{name}': {ex.Status} {ex.ErrorCode}; {hint}.", ex.Status, ex.ErrorCode, true, WithoutContent(ex));
        }
        catch (RequestFailedException ex) when (ex.Status != 0)
        {
            throw Fail($"Key Vault {vault} did not return secret '{name}': {ex.Status} {ex.ErrorCode ?? "(no error code)"} after {_delivery.MaxAttempts} attempt(s).", ex.Status, ex.ErrorCode, false, WithoutContent(ex));
        }
        catch (AuthenticationFailedException ex)
        {
            throw Fail($"Could not get a token for Key Vault {vault} to read secret '{name}' ({ex.GetType().Name}); check the managed identity.", 0, "CredentialUnavailable", false, ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("challenge", StringComparison.OrdinalIgnoreCase))
        {
            throw Fail($"Key Vault {vault} answered with an authentication challenge for another resource while reading secret '{name}'; check IamKey:DataCollector:KeyVaultUri.", 401, "ChallengeResourceMismatch", true, ex);
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException or RequestFailedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Fail($"Key Vault {vault} is unreachable: secret '{name}' could not be read after {_delivery.MaxAttempts} attempt(s) ({Describe(ex)}).", 0, "KeyVaultUnreachable", false, ex);
        }

        if (!WorkspaceKey.TryCreate(secret.Value, secret.Properties.Version, out var key))
        {
            throw Fail(
                $"The secret '{name}' in Key Vault {vault} (IamKey:DataCollector:WorkspaceKeySecretName) is not a valid base64 workspace key; store the workspace's primary or secondary shared key in it.",
                200,
                "InvalidWorkspaceKey",
                true,
                null);
        }

        _logger.LogInformation("Read the workspace key from Key Vault {VaultUri}, secret {SecretName} version {SecretVersion}", vault, name, key!.Version);
        return key;
    }

    private SecretClientOptions CreateClientOptions()
    {
        var options = new SecretClientOptions
        {
            Transport = new HttpClientTransport(_httpClientFactory.CreateClient(HttpClientName)),
            DisableChallengeResourceVerification = _options.DisableChallengeResourceVerification,
        };
        AzureSdkRetry.Apply(options.Retry, _delivery);
        options.Diagnostics.IsLoggingContentEnabled = false;
        return options;
    }

    private WorkspaceKeyException Fail(string message, int status, string? code, bool configuration, Exception? inner)
    {
        var exception = new WorkspaceKeyException(message, VaultUri, _options.WorkspaceKeySecretName, status, code, configuration, inner);
        _logger.LogError("{Message}", message);
        return exception;
    }

    /// <summary>The SDK's failure without its message, which quotes the answer's content (a vault could echo the bearer token in it).</summary>
    private static RequestFailedException WithoutContent(RequestFailedException ex) =>
        new(ex.Status, $"Key Vault answered {ex.Status} {ex.ErrorCode ?? "(no error code)"}.", ex.ErrorCode, null);

    /// <summary>The innermost exception's type and message: socket and DNS errors, never secrets.</summary>
    private static string Describe(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return $"{inner.GetType().Name}: {inner.Message}";
    }

    private sealed record CachedKey(WorkspaceKey Key, DateTimeOffset ReadAt);
}
