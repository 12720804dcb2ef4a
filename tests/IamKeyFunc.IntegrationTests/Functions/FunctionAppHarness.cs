using System.Text.Json.Nodes;
using Azure.Core;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Functions;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.IntegrationTests.Functions;

/// <summary>
/// The Function app's own host (<see cref="Program.CreateBuilder"/>, not started as a gRPC worker) pointed at the
/// loopback AWS emulator serving the sample organization and at the loopback Azure fakes. The emulator trusts the fake
/// managed identity's tokens (its tenant as issuer, its principal as subject), so a run goes Entra token → STS →
/// IAM → sink over the real wire protocols. The functions are created and invoked as the worker would.
/// </summary>
internal sealed class FunctionAppHarness : IAsyncDisposable
{
    private FunctionAppHarness(AwsEmulatorServer aws, AzureFakes azure, GatedCredential credential, LogCapture logs, IHost host, string stateDirectory)
    {
        StateDirectory = stateDirectory;
        Aws = aws;
        Azure = azure;
        Credential = credential;
        Logs = logs;
        Host = host;
    }

    public AwsEmulatorServer Aws { get; }

    public AzureFakes Azure { get; }

    /// <summary>The app's Entra credential (the fake managed identity), which a test can hold closed to keep a run in progress.</summary>
    public GatedCredential Credential { get; }

    public IHost Host { get; }

    /// <summary>Where the app keeps its snapshots (a folder standing in for the blobs in AzureWebJobsStorage).</summary>
    public string StateDirectory { get; }

    /// <summary>Everything the app logged (what Application Insights would receive).</summary>
    public LogCapture Logs { get; }

    public ReportJob Job => Host.Services.GetRequiredService<ReportJob>();

    /// <param name="discover">Find the accounts with AWS Organizations discovery instead of listing them.</param>
    public static async Task<FunctionAppHarness> StartAsync(SinkMode sink = SinkMode.DataCollector, bool discover = false)
    {
        var azure = await AzureFakes.StartAsync();
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        scenario.Oidc.Issuer = OidcProviderConfig.EntraV1Issuer(azure.Options.TenantId);
        scenario.CentralRole!.WebIdentity!.Subjects = [azure.Options.PrincipalId];
        var aws = await AwsEmulatorServer.StartAsync(scenario);

        var settings = DemoCommand.Settings(aws, discover);
        foreach (var (key, value) in azure.Settings(sink))
        {
            settings[key] = value;
        }

        settings["IAMKEY_SCHEDULE"] = "0 0 6 * * *";
        var stateDirectory = Directory.CreateTempSubdirectory("iamkeys-function-state-").FullName;
        settings[$"{HistoryOptions.SectionName}:{nameof(HistoryOptions.StateDirectory)}"] = stateDirectory;
        var builder = Program.CreateBuilder([.. settings.Select(s => $"--{s.Key}={s.Value}")]);
        var credential = new GatedCredential(azure.CreateCredential());
        builder.Services.AddSingleton<TokenCredential>(credential);
        azure.ConfigureServices(builder.Services);
        var logs = new LogCapture();
        builder.Logging.AddProvider(logs);
        return new FunctionAppHarness(aws, azure, credential, logs, builder.Build(), stateDirectory);
    }

    /// <summary>The accounts the settings list: the sample organization's ACTIVE accounts (its suspended one is not listed).</summary>
    public IEnumerable<EmulatorAccount> ConfiguredAccounts => Aws.Scenario.Accounts.Where(a => a.State == EmulatorOrganization.ActiveState);

    /// <summary>The accounts whose member role trusts the central role (the sample's legacy account does not).</summary>
    public IEnumerable<EmulatorAccount> ReachableAccounts =>
        ConfiguredAccounts.Where(a => a == Aws.Scenario.CentralAccount || a.Roles.Any(r => r.TrustedPrincipalArns.Contains(Aws.Scenario.CentralRoleArn)));

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Host.Services);

    /// <summary>POSTs to the refresh function with a real <see cref="HttpRequest"/> and renders its result as the worker's ASP.NET Core integration would.</summary>
    public async Task<(int Status, JsonNode Body)> RefreshAsync(string queryString, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext { RequestServices = Host.Services };
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/api/report/refresh";
        context.Request.QueryString = new QueryString(queryString);
        context.Response.Body = new MemoryStream();

        var result = await Create<RefreshReport>().Run(context.Request, cancellationToken);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        context.Response.Body.Position = 0;
        Assert.StartsWith("application/json", context.Response.ContentType, StringComparison.Ordinal);
        return (context.Response.StatusCode, (await JsonNode.ParseAsync(context.Response.Body, cancellationToken: cancellationToken))!);
    }

    public Task RunTimerAsync(CancellationToken cancellationToken) =>
        Create<DailyReport>().Run(new TimerInfo { IsPastDue = false }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        Logs.Dispose();
        Credential.Open();
        await Aws.DisposeAsync();
        await Azure.DisposeAsync();
        Directory.Delete(StateDirectory, recursive: true);
    }
}

/// <summary>A <see cref="TokenCredential"/> that waits for <see cref="Open"/> when closed, then asks the real one.</summary>
internal sealed class GatedCredential(TokenCredential inner) : TokenCredential
{
    private volatile TaskCompletionSource _gate = Opened();

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate.TrySetResult();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        await _gate.Task.WaitAsync(cancellationToken);
        return await inner.GetTokenAsync(requestContext, cancellationToken);
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
