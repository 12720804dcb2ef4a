using Azure.Core;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Testing.Azure;

/// <summary>Settings shared by the four fakes.</summary>
public sealed class AzureFakesOptions
{
    public string TenantId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The managed identity's object ID (token <c>sub</c>/<c>oid</c>; what the AWS trust policy pins).</summary>
    public string PrincipalId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The managed identity's client ID (token <c>appid</c>).</summary>
    public string ClientId { get; init; } = Guid.NewGuid().ToString();

    public string WorkspaceKeySecretName { get; init; } = "law-shared-key";

    /// <summary>The Logs Ingestion token audience; give each test its own to dodge Azure.Identity's process-wide token cache.</summary>
    public string LogsIngestionAudience { get; init; } = "https://monitor.azure.com";

    /// <summary>The Key Vault challenge resource (token audience); give each test its own when it uses the real <c>ManagedIdentityCredential</c>.</summary>
    public string KeyVaultResource { get; init; } = "https://vault.azure.net";

    /// <summary>The fakes' clock (token expiry, <c>x-ms-date</c> freshness); the certificate always uses the real clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// The whole loopback Azure side in one object: managed identity endpoint, Key Vault (holding the workspace key),
/// Data Collector and Logs Ingestion, with one test certificate. Point an app at it with <see cref="Settings"/>
/// (configuration), <see cref="EnvironmentVariables"/> (for the real <c>ManagedIdentityCredential</c>, applied through
/// <see cref="EnvironmentVariableScope"/>) and <see cref="ConfigureServices"/> (trust the certificate, allow the
/// loopback vault's challenge); or give it <see cref="CreateCredential"/> as its <see cref="TokenCredential"/>.
/// Rotating the workspace key (<see cref="RotateWorkspaceKey"/> or the Data Collector's knob) also stores the new
/// key in the vault, as an operator would.
/// </summary>
public sealed class AzureFakes : IAsyncDisposable
{
    private AzureFakes(AzureFakesOptions options, TestCertificate certificate, FakeManagedIdentityEndpoint identity, FakeKeyVault keyVault, FakeDataCollector dataCollector, FakeLogsIngestion logsIngestion)
    {
        Options = options;
        Certificate = certificate;
        ManagedIdentity = identity;
        KeyVault = keyVault;
        DataCollector = dataCollector;
        LogsIngestion = logsIngestion;
        KeyVault.SetSecret(options.WorkspaceKeySecretName, dataCollector.SharedKey);
        DataCollector.KeyRotated += key => KeyVault.SetSecret(options.WorkspaceKeySecretName, key);
    }

    public AzureFakesOptions Options { get; }

    public TestCertificate Certificate { get; }

    public FakeManagedIdentityEndpoint ManagedIdentity { get; }

    public FakeKeyVault KeyVault { get; }

    public FakeDataCollector DataCollector { get; }

    public FakeLogsIngestion LogsIngestion { get; }

    /// <summary>Retry settings short enough for fault-injection tests (a few milliseconds, three attempts, 5 s per request).</summary>
    public static IReadOnlyDictionary<string, string?> FastRetrySettings { get; } = new Dictionary<string, string?>
    {
        ["IamKey:Delivery:MaxAttempts"] = "3",
        ["IamKey:Delivery:RetryBaseDelay"] = "00:00:00.005",
        ["IamKey:Delivery:RetryMaxDelay"] = "00:00:00.050",
        ["IamKey:Delivery:RequestTimeout"] = "00:00:05",
    };

    public IReadOnlyDictionary<string, string?> EnvironmentVariables => ManagedIdentity.EnvironmentVariables;

    /// <summary>Every secret the fakes handed out (workspace keys, access tokens), for asserting that none appears in output.</summary>
    public IEnumerable<string> Secrets => DataCollector.AllKeys.Concat(ManagedIdentity.IssuedTokens);

    public static async Task<AzureFakes> StartAsync(AzureFakesOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzureFakesOptions();
        var certificate = TestCertificate.Create();
        var identity = await FakeManagedIdentityEndpoint.StartAsync(
            new FakeManagedIdentityOptions { TenantId = options.TenantId, PrincipalId = options.PrincipalId, ClientId = options.ClientId, TimeProvider = options.TimeProvider },
            cancellationToken);
        var keyVault = await FakeKeyVault.StartAsync(certificate, new FakeKeyVaultOptions { TenantId = options.TenantId, Resource = options.KeyVaultResource, TimeProvider = options.TimeProvider }, cancellationToken);
        var dataCollector = await FakeDataCollector.StartAsync(certificate, new FakeDataCollectorOptions { TimeProvider = options.TimeProvider }, cancellationToken);
        var logsIngestion = await FakeLogsIngestion.StartAsync(certificate, new FakeLogsIngestionOptions { Audience = options.LogsIngestionAudience, TimeProvider = options.TimeProvider }, cancellationToken);
        return new AzureFakes(options, certificate, identity, keyVault, dataCollector, logsIngestion);
    }

    /// <summary>Configuration pointing the app's delivery at the fakes, plus <see cref="FastRetrySettings"/>.</summary>
    public IReadOnlyDictionary<string, string?> Settings(SinkMode sink = SinkMode.DataCollector)
    {
        var settings = new Dictionary<string, string?>(FastRetrySettings)
        {
            ["IamKey:Delivery:Sink"] = sink.ToString(),
            ["IamKey:DataCollector:WorkspaceId"] = DataCollector.WorkspaceId,
            ["IamKey:DataCollector:KeyVaultUri"] = KeyVault.VaultUri.AbsoluteUri,
            ["IamKey:DataCollector:WorkspaceKeySecretName"] = Options.WorkspaceKeySecretName,
            ["IamKey:DataCollector:Endpoint"] = DataCollector.Endpoint.AbsoluteUri,
            ["IamKey:LogsIngestion:Endpoint"] = LogsIngestion.Endpoint.AbsoluteUri,
            ["IamKey:LogsIngestion:DcrImmutableId"] = LogsIngestion.DcrImmutableId,
            ["IamKey:LogsIngestion:Audience"] = Options.LogsIngestionAudience,
        };
        return settings;
    }

    /// <summary>
    /// Test-only wiring: every <see cref="IHttpClientFactory"/> client trusts the test certificate (pinned), and
    /// <c>SecretClient</c> accepts the loopback vault's challenge (its host can never match <c>vault.azure.net</c>).
    /// </summary>
    public void ConfigureServices(IServiceCollection services)
    {
        services.ConfigureHttpClientDefaults(builder => builder.ConfigurePrimaryHttpMessageHandler(Certificate.CreateHandler));
        services.PostConfigure<DataCollectorOptions>(options => options.DisableChallengeResourceVerification = true);
    }

    /// <summary>A credential that gets tokens from <see cref="ManagedIdentity"/> without environment variables (parallel-safe).</summary>
    public TokenCredential CreateCredential() => ManagedIdentity.CreateCredential();

    /// <summary>Regenerates the workspace key; the vault gets the new key.</summary>
    public string RotateWorkspaceKey() => DataCollector.RotateKey();

    public async ValueTask DisposeAsync()
    {
        await LogsIngestion.DisposeAsync();
        await DataCollector.DisposeAsync();
        await KeyVault.DisposeAsync();
        await ManagedIdentity.DisposeAsync();
        Certificate.Dispose();
    }
}
