using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Testing.Azure;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>
/// The built Function app in the real Functions host (through <c>scripts/func-start.sh --no-emulator</c>), pointed
/// at loopback stand-ins that run in this test process: the AWS emulator serving the sample organization (trusting
/// the fake managed identity's tokens), and the Azure fakes (managed-identity endpoint, Key Vault and Data Collector
/// over HTTPS, Logs Ingestion). The worker reaches them the way it reaches Azure: the managed identity through
/// <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c>, TLS through <c>SSL_CERT_FILE</c> holding the fakes' certificate,
/// and the vault by a host name (through <see cref="LoopbackConnectProxy"/>) that passes the SDK's challenge check.
/// Settings are passed by their app-setting names only, in a local.settings.json, as a user would write them.
/// </summary>
internal sealed class HostedFunctionApp : IAsyncDisposable
{
    public const string VaultResource = "https://localhost";

    private readonly string _state;
    private readonly LoopbackConnectProxy _vaultProxy = new(TestCertificate.VaultHostName);

    private HostedFunctionApp(AwsEmulatorServer aws, AzureFakes azure, string state)
    {
        Aws = aws;
        Azure = azure;
        _state = state;
    }

    public AwsEmulatorServer Aws { get; }

    public AzureFakes Azure { get; }

    public FunctionsHostProcess Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The settings the app gets (app-setting names, <c>__</c> separators); <paramref name="configure"/> may change them.</summary>
    /// <param name="scenario">The AWS estate; the sample organization by default.</param>
    public static async Task<HostedFunctionApp> StartAsync(Action<Dictionary<string, string?>>? configure = null, bool waitUntilStarted = true, EmulatorScenario? scenario = null)
    {
        // The worker cannot switch off the Key Vault SDK's challenge check (the vault's host must be a subdomain of the
        // challenge resource), so the vault is reached as vault.localhost and names https://localhost as its resource.
        var azure = await AzureFakes.StartAsync(new AzureFakesOptions { KeyVaultResource = VaultResource });
        scenario ??= ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        scenario.Oidc.Issuer = OidcProviderConfig.EntraV1Issuer(azure.Options.TenantId);
        scenario.CentralRole!.WebIdentity!.Subjects = [azure.Options.PrincipalId];
        var aws = await AwsEmulatorServer.StartAsync(scenario);

        var state = Directory.CreateTempSubdirectory("iamkeyfunc-host-").FullName;
        var app = new HostedFunctionApp(aws, azure, state);
        try
        {
            var settings = app.Settings();
            configure?.Invoke(settings);
            await app.StartHostAsync(settings, waitUntilStarted);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The accounts whose member role trusts the central role (the sample's legacy account does not).</summary>
    public IReadOnlyList<EmulatorAccount> ReachableAccounts =>
        [.. Aws.Scenario.Accounts.Where(a => a == Aws.Scenario.CentralAccount || a.Roles.Any(r => r.TrustedPrincipalArns.Contains(Aws.Scenario.CentralRoleArn)))];

    /// <summary>Every secret the run could have handled: workspace keys, Entra tokens, AWS secret keys and session tokens.</summary>
    public IReadOnlyList<string> Secrets => [.. Azure.Secrets.Concat(Aws.IssuedSecrets).Where(s => s.Length >= 16).Distinct()];

    /// <summary><c>POST /api/report/refresh?{query}</c> with the function key (or none).</summary>
    public async Task<(int Status, JsonNode? Body)> RefreshAsync(string query, bool withKey = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/report/refresh{(query.Length > 0 ? "?" : "")}{query}");
        if (withKey)
        {
            request.Headers.Add("x-functions-key", Host.FunctionKey);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>A request to the admin API with the master key.</summary>
    public async Task<(int Status, string Body)> AdminAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", Host.MasterKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Aws.DisposeAsync();
        await Azure.DisposeAsync();
        await _vaultProxy.DisposeAsync();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    private Dictionary<string, string?> Settings()
    {
        var scenario = Aws.Scenario;
        var members = scenario.Accounts.Where(a => a != scenario.CentralAccount).ToList();
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["IAMKEY_SCHEDULE"] = "0 0 6 * * *",
            ["IamKey__Aws__RoleArn"] = scenario.CentralRoleArn,
            ["IamKey__Aws__Audience"] = scenario.CentralRole!.WebIdentity!.Audience,
            ["IamKey__Aws__StsEndpoint"] = Aws.Endpoint.AbsoluteUri,
            ["IamKey__Aws__IamEndpoint"] = Aws.Endpoint.AbsoluteUri,
            ["IamKey__Aws__MemberAccountIds"] = string.Join(',', members.Select(a => a.AccountId)),
            ["IamKey__Aws__MemberRoleName"] = members.SelectMany(a => a.Roles).Select(r => r.Name).First(),
        };
        foreach (var (key, value) in Azure.Settings())
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        settings["IamKey__DataCollector__KeyVaultUri"] = new UriBuilder(Azure.KeyVault.VaultUri) { Host = TestCertificate.VaultHostName }.Uri.AbsoluteUri;

        return settings;
    }

    private async Task StartHostAsync(Dictionary<string, string?> settings, bool waitUntilStarted)
    {
        var settingsFile = Path.Combine(_state, "test.settings.json");
        await File.WriteAllTextAsync(settingsFile, JsonSerializer.Serialize(new { IsEncrypted = false, Values = settings }));
        var certificate = Path.Combine(_state, "fakes.pem");
        await File.WriteAllTextAsync(certificate, Azure.Certificate.ExportPem());

        var environment = new Dictionary<string, string?>(Azure.EnvironmentVariables)
        {
            ["SSL_CERT_FILE"] = certificate,
            ["HTTPS_PROXY"] = _vaultProxy.Address.AbsoluteUri,
            ["HTTP_PROXY"] = null,
            ["NO_PROXY"] = "127.0.0.1,localhost",
        };
        Host = await FunctionsHostProcess.StartAsync(["--no-emulator", "--settings", settingsFile], environment, Path.Combine(_state, "script"));
        Http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        if (waitUntilStarted)
        {
            await Host.WaitUntilStartedAsync();
        }
    }

}
