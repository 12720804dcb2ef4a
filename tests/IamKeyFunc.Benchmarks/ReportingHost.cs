using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// The production composition root (<c>AddIamKeyReporting</c>: federation, IAM client, collector, job) wired to the
/// emulator by configuration alone: only the endpoints, the role ARNs, the key ID format (<c>Full</c>, to compare with
/// the ground truth) and the sink (<c>None</c>: the benchmark passes its measuring sink per run) are set; every
/// collection knob keeps its production default. The Entra token and the IAM client factory are replaced by an
/// emulator token and a factory that remembers its clients (for their stats). One host per measured run, so every run
/// starts with new STS sessions, new IAM clients (limiters at their maximum) and an empty connection pool.
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

    /// <param name="overrides">Settings to change for a tuning experiment (<c>--set</c>); empty for the published results.</param>
    public static ReportingHost Create(AwsEmulatorServer emulator, FreshnessMode mode, IReadOnlyDictionary<string, string> overrides)
    {
        var scenario = emulator.Scenario;
        var members = scenario.Accounts.Where(a => a != scenario.CentralAccount).ToList();
        var memberRole = members.SelectMany(a => a.Roles).Select(r => r.Name).FirstOrDefault() ?? "IamKeyFuncMember";
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Aws:RoleArn"] = scenario.CentralRoleArn,
            ["IamKey:Aws:Audience"] = scenario.CentralRole!.WebIdentity!.Audience,
            ["IamKey:Aws:StsEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:IamEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:MemberAccountIds"] = string.Join(',', members.Select(a => a.AccountId)),
            ["IamKey:Aws:MemberRoleName"] = memberRole,
            ["IamKey:Collection:Mode"] = mode.ToString(),
            ["IamKey:Collection:KeyIdFormat"] = nameof(KeyIdFormat.Full),
            ["IamKey:Delivery:Sink"] = nameof(SinkMode.None),
            ["IamKey:History:Enabled"] = "false", // collection only: no snapshot state between measured runs
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TokenCredential>(new EmulatorTokenCredential(scenario));
        services.AddSingleton<RecordingIamClientFactory>();
        services.AddSingleton<IamClientFactory>(provider => provider.GetRequiredService<RecordingIamClientFactory>());
        services.AddIamKeyReporting(configuration);
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
