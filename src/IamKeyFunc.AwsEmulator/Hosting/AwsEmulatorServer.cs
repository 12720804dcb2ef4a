using System.Net;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.AwsEmulator.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.AwsEmulator.Hosting;

/// <summary>
/// A loopback AWS (STS + IAM Query API, Organizations JSON 1.1) on <c>127.0.0.1</c>, speaking the real wire protocol: one
/// endpoint serves every service, dispatched by <c>Action</c> or <c>X-Amz-Target</c>. STS issues sessions (web identity, then chaining); IAM calls must be SigV4-signed
/// by such a session and act on its account.
/// </summary>
/// <example><code>
/// await using var emu = await AwsEmulatorServer.StartAsync(ScenarioGenerator.SampleOrganization(now));
/// // point STS and IAM at emu.Endpoint; compare the result with emu.Scenario.ExpectedKeys(accountId)
/// </code></example>
public sealed class AwsEmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorState _state;

    private AwsEmulatorServer(WebApplication app, EmulatorState state, Uri endpoint)
    {
        _app = app;
        _state = state;
        Endpoint = endpoint;
    }

    /// <summary>Base URL for both STS and IAM, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The ground truth being served.</summary>
    public EmulatorScenario Scenario => _state.Scenario;

    /// <summary>The live knobs (latency, rate limit, faults, …); changes apply to the next request.</summary>
    public EmulatorOptions Options => _state.Options;

    public EmulatorStats Stats => _state.Stats;

    /// <summary>Number of sessions STS has issued.</summary>
    public int IssuedSessions => _state.Sessions.Count;

    /// <summary>Every secret access key and session token STS handed out, for tests that assert none of them leaks into output.</summary>
    public IEnumerable<string> IssuedSecrets => _state.Sessions.All.SelectMany(session => new[] { session.SecretAccessKey, session.SessionToken });

    public static async Task<AwsEmulatorServer> StartAsync(EmulatorScenario scenario, EmulatorOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        scenario.Validate();
        options ??= new EmulatorOptions();
        var state = new EmulatorState(scenario, options);
        var dispatcher = new QueryDispatcher(state);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(AwsEmulatorServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1 << 20;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        var app = builder.Build();
        app.Run(dispatcher.HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AwsEmulatorServer(app, state, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>
    /// Changes the ground truth between runs (create, delete, deactivate or rotate keys; record a key's use) and
    /// serves the changed scenario from the next request on. Each account's credential report is discarded, as if
    /// IAM had to generate a new one. Not for use while a run is in progress.
    /// </summary>
    public void ChangeScenario(Action<EmulatorScenario> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        change(_state.Scenario);
        _state.Reindex();
    }

    /// <summary>Makes every session issued so far expire now (the next signed call gets <c>ExpiredToken</c>).</summary>
    public void ExpireAllSessions() => _state.Sessions.ExpireAll(_state.Time.GetUtcNow());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"AWS emulator at {Endpoint} serving '{Scenario.Name}'";
}
