using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Aws;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Findings;
using IamKeyFunc.Reporting.Jobs;
using IamKeyFunc.Reporting.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// The production services (federation, IAM client, collector, job) wired to the emulator the way configuration wires
/// them in Azure: only endpoints, the role ARNs and the key ID format (<c>Full</c>, to compare with the ground truth)
/// are set; every collection knob keeps its production default. One host per measured run, so every run starts with
/// new STS sessions, new IAM clients (limiters at their maximum) and an empty connection pool.
/// </summary>
internal sealed class ReportingHost : IDisposable
{
    private readonly ServiceProvider _provider;

    private ReportingHost(ServiceProvider provider)
    {
        _provider = provider;
    }

    public ReportJob Job => _provider.GetRequiredService<ReportJob>();

    public AwsSessionProvider Sessions => _provider.GetRequiredService<AwsSessionProvider>();

    public RecordingIamClientFactory Clients => _provider.GetRequiredService<RecordingIamClientFactory>();

    public CollectionOptions CollectionOptions => _provider.GetRequiredService<IOptions<CollectionOptions>>().Value;

    public static ReportingHost Create(AwsEmulatorServer emulator, FreshnessMode mode)
    {
        var scenario = emulator.Scenario;
        var members = scenario.Accounts.Where(a => a != scenario.CentralAccount).ToList();
        var memberRole = members.SelectMany(a => a.Roles).Select(r => r.Name).FirstOrDefault() ?? "IamKeyFuncMember";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IamKey:Aws:RoleArn"] = scenario.CentralRoleArn,
            ["IamKey:Aws:Audience"] = scenario.CentralRole!.WebIdentity!.Audience,
            ["IamKey:Aws:StsEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:IamEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:MemberAccountIds"] = string.Join(',', members.Select(a => a.AccountId)),
            ["IamKey:Aws:MemberRoleName"] = memberRole,
            ["IamKey:Collection:Mode"] = mode.ToString(),
            ["IamKey:Collection:KeyIdFormat"] = nameof(KeyIdFormat.Full),
        }).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TokenCredential>(new EmulatorTokenCredential(scenario));
        services.AddSingleton<RecordingIamClientFactory>();
        services.AddSingleton<IamClientFactory>(provider => provider.GetRequiredService<RecordingIamClientFactory>());
        services.AddAwsFederation(configuration);
        services.AddIamClient();
        services.AddOptions<CollectionOptions>().Bind(configuration.GetSection(CollectionOptions.SectionName)).ValidateDataAnnotations();
        services.AddOptions<FindingsOptions>().Bind(configuration.GetSection(FindingsOptions.SectionName));
        services.AddSingleton<FindingsEvaluator>();
        services.AddSingleton<AccountCollector>();
        services.AddSingleton(provider => new ReportJob(
            provider.GetRequiredService<AwsSessionProvider>(),
            provider.GetRequiredService<AccountCollector>(),
            sink: null,
            provider.GetRequiredService<IOptions<CollectionOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ReportJob>>()));
        return new ReportingHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public void Dispose() => _provider.Dispose();

    /// <summary>Hands out the Entra-shaped v1 token the emulator's OIDC trust accepts (in Azure: the managed identity's).</summary>
    private sealed class EmulatorTokenCredential(EmulatorScenario scenario) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var expires = TimeProvider.System.GetUtcNow().AddHours(1);
            return new AccessToken(TestJwt.ForScenario(scenario, expires), expires);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
