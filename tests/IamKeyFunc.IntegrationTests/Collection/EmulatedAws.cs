using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.IntegrationTests.Collection;

/// <summary>
/// The AWS emulator plus the real collector stack, wired by <see cref="Reporting.ServiceCollectionExtensions.AddIamKeyReporting"/>:
/// federation (STS web identity and chaining), the IAM client, the collector and the job. The only stand-in is the
/// <see cref="TokenCredential"/>, which hands out the emulator's test JWTs. Retry delays are shortened through options.
/// </summary>
internal sealed class EmulatedAws : IAsyncDisposable
{
    private static readonly string[] IamOperations =
        [
            "ListUsers", "ListAccessKeys", "GetAccessKeyLastUsed", "GenerateCredentialReport", "GetCredentialReport", "ListAccountAliases",
            "GetAccountSummary", "ListUserTags", "GetAccountAuthorizationDetails",
        ];

    private readonly ServiceProvider _services;

    private EmulatedAws(AwsEmulatorServer emulator, ServiceProvider services, LogCapture logs, IamRequestHook hook)
    {
        Emulator = emulator;
        _services = services;
        Logs = logs;
        Hook = hook;
    }

    public AwsEmulatorServer Emulator { get; }

    public EmulatorScenario Scenario => Emulator.Scenario;

    public LogCapture Logs { get; }

    /// <summary>Sees every IAM request before it is sent; tests use it to act at a precise point of a run.</summary>
    public IamRequestHook Hook { get; }

    public AccountCollector Collector => _services.GetRequiredService<AccountCollector>();

    public ReportJob Job => _services.GetRequiredService<ReportJob>();

    public AwsSessionProvider Sessions => _services.GetRequiredService<AwsSessionProvider>();

    public static EmulatorScenario Generate(int accounts = 1, int users = 30, int seed = 11, int denying = 0) => ScenarioGenerator.Generate(
        new ScenarioGeneratorSettings { Accounts = accounts, UsersPerAccount = users, Seed = seed, DenyingMemberAccounts = denying, RootKeyShare = 1.0 },
        TimeProvider.System.GetUtcNow());

    /// <summary>Starts the emulator and the stack; <paramref name="settings"/> adds or overrides <c>IamKey:*</c> settings.</summary>
    /// <param name="azure">Where tokens for anything but AWS come from (Key Vault, Logs Ingestion), and the test wiring for the
    /// Azure fakes; its settings come first, so <paramref name="settings"/> can override them (e.g. the delivery attempts).</param>
    /// <param name="configure">Test-only service changes (internal limits such as the Logs Ingestion request size).</param>
    public static async Task<EmulatedAws> StartAsync(
        EmulatorScenario scenario,
        Action<EmulatorOptions>? emulatorOptions = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        AzureFakes? azure = null,
        Action<IServiceCollection>? configure = null)
    {
        var options = new EmulatorOptions();
        emulatorOptions?.Invoke(options);
        var emulator = await AwsEmulatorServer.StartAsync(scenario, options);
        var logs = new LogCapture();
        var hook = new IamRequestHook();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug))
            .AddSingleton<TokenCredential>(new EmulatorTokenCredential(scenario, azure?.CreateCredential()));
        azure?.ConfigureServices(services);
        services.AddIamKeyReporting(Configuration(emulator, azure is null ? settings : azure.Settings().Concat(settings ?? new Dictionary<string, string?>())));
        services.AddHttpClient(IamClientFactory.HttpClientName).AddHttpMessageHandler(() => new IamRequestHandler(hook));
        configure?.Invoke(services);
        return new EmulatedAws(emulator, services.BuildServiceProvider(), logs, hook);
    }

    /// <summary>Settings for the scenario: the central role, every other ACTIVE account as a member, loopback endpoints, short retries, no sink, no history.</summary>
    public static IConfiguration Configuration(AwsEmulatorServer emulator, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var scenario = emulator.Scenario;
        var central = scenario.CentralAccount;
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Aws:RoleArn"] = scenario.CentralRoleArn,
            ["IamKey:Aws:Audience"] = scenario.CentralRole!.WebIdentity!.Audience,
            ["IamKey:Aws:StsEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:IamEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:Discovery:Endpoint"] = emulator.Endpoint.ToString(), // used only with Discovery:Source = Organizations
            ["IamKey:Aws:MemberAccountIds"] = string.Join(',', scenario.Accounts.Where(a => a != central && a.State == EmulatorOrganization.ActiveState).Select(a => a.AccountId)),
            ["IamKey:Aws:MemberRoleName"] = "IamKeyFuncMember",
            ["IamKey:Aws:StsMaxErrorRetry"] = "1",
            ["IamKey:Aws:StsMaxRetryBackoff"] = "00:00:00.010",
            ["IamKey:Collection:RetryBaseDelay"] = "00:00:00.001",
            ["IamKey:Collection:RetryMaxDelay"] = "00:00:00.020",
            ["IamKey:Collection:CredentialReportTimeout"] = "00:00:30",
            ["IamKey:Collection:KeyIdFormat"] = "Full",
            ["IamKey:Delivery:Sink"] = "None",
            ["IamKey:History:Enabled"] = "false", // the history tests turn it on with a state folder of their own
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    /// <summary>The session of one account, as the job would use it.</summary>
    public AwsAccountSession Session(string accountId) => Sessions.Sessions.Single(s => s.AccountId == accountId);

    /// <summary>Collects one account and turns its inventory into records, as the job does.</summary>
    public async Task<CollectedAccount> CollectAsync(string accountId, CollectionRun? run = null)
    {
        run ??= NewRun();
        var session = Session(accountId);
        var inventory = await Collector.CollectAsync(session, run, FactRequest.KeysOnly);
        var context = new AccountContext(run, session.Partition.Name, accountId, inventory.AccountAlias, inventory.ReportGeneratedAt, inventory.ReportAgeHours);
        return new CollectedAccount(inventory, _services.GetRequiredService<KeyRecordBuilder>().Build(inventory.Keys, context));
    }

    /// <summary>IAM requests the emulator received for an account (its STS calls excluded).</summary>
    public long IamCalls(string accountId) =>
        IamOperations.Sum(operation => Emulator.Stats.Calls(accountId, operation));

    public static CollectionRun NewRun() => new(RunId.Create(TimeProvider.System.GetUtcNow()), TimeProvider.System.GetUtcNow());

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    /// <summary>The managed identity stand-in: a v1-shaped token for the scenario's audience and subject; other scopes go to <paramref name="azure"/>.</summary>
    private sealed class EmulatorTokenCredential(EmulatorScenario scenario, TokenCredential? azure) : TokenCredential
    {
        private string AwsScope => scenario.CentralRole!.WebIdentity!.Audience + "/.default";

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            IsAws(requestContext) ? Mint() : Azure(requestContext).GetToken(requestContext, cancellationToken);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            IsAws(requestContext) ? ValueTask.FromResult(Mint()) : Azure(requestContext).GetTokenAsync(requestContext, cancellationToken);

        private bool IsAws(TokenRequestContext requestContext) => requestContext.Scopes is [var scope] && scope == AwsScope;

        private TokenCredential Azure(TokenRequestContext requestContext) =>
            azure ?? throw new InvalidOperationException($"Unexpected token scope '{string.Join(' ', requestContext.Scopes)}'.");

        private AccessToken Mint()
        {
            var expires = TimeProvider.System.GetUtcNow().AddHours(1);
            return new AccessToken(TestJwt.ForScenario(scenario, expires), expires);
        }
    }
}

/// <summary>What a test wants done when the IAM client sends a request (counted from 1, across all accounts).</summary>
internal sealed class IamRequestHook
{
    private int _requests;

    public Func<int, HttpRequestMessage, Task>? OnRequest { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    internal Task SeenAsync(HttpRequestMessage request)
    {
        var number = Interlocked.Increment(ref _requests);
        return OnRequest?.Invoke(number, request) ?? Task.CompletedTask;
    }
}

internal sealed class IamRequestHandler(IamRequestHook hook) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await hook.SeenAsync(request);
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>One account's inventory and the key records built from it.</summary>
public sealed record CollectedAccount(AccountInventory Inventory, IReadOnlyList<KeyRecord> Records)
{
    public string? AccountAlias => Inventory.AccountAlias;

    public AccountCounts Counts => Inventory.Counts;

    public AccountIssue? Warning => Inventory.Warning;
}
