using System.Security.Cryptography;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>What a user sees in the real host when the app cannot start, or when a function throws.</summary>
[Collection(FunctionsHostCollection.Name)] // one host at a time: each start takes both cores for seconds
public sealed class FunctionsHostStartupTests
{
    /// <summary>The refresh's status, or 0 when the host does not accept the connection.</summary>
    private static async Task<int> TryRefreshAsync(HostedFunctionApp app)
    {
        try
        {
            return (await app.RefreshAsync("dryRun=true")).Status;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    [HostFact]
    public async Task BadSetting_ShouldStopTheAppNamingTheSetting_AndRunNoFunction()
    {
        await using var app = await HostedFunctionApp.StartAsync(
            settings => settings["IamKey__Collection__MaxParallelAccounts"] = "0", waitUntilStarted: false);

        // The worker exits with the validation message; the host relays it, retries the worker, then gives up.
        await app.Host.WaitForOutputAsync(
            o => o.Contains("Exceeded language worker restart retry count", StringComparison.Ordinal), TimeSpan.FromSeconds(300), "the host to give up on the worker");
        var output = app.Host.Output;

        Assert.Contains("'IamKey:Collection:MaxParallelAccounts must be between 1 and 64.'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executing 'Functions.", output, StringComparison.Ordinal);
        Assert.NotEqual(200, await TryRefreshAsync(app));
        Assert.Equal(0, app.Aws.Stats.TotalCalls);
    }

    [HostFact]
    public async Task ExceptionEscapingAFunction_ShouldPassThroughTheMiddlewareAsA500_WithNoSecret()
    {
        // A development token that is not a JWT: the credential is built when the first function is activated, and
        // that throws out of the function (Development only; the token is the secret that must not come back).
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await using var app = await HostedFunctionApp.StartAsync(settings =>
        {
            settings["IamKey__Identity__DevelopmentToken"] = $"not-a-jwt-{secret}";
            settings["IamKey__Delivery__Sink"] = "None";
        });

        var (status, body) = await app.RefreshAsync("dryRun=true");

        Assert.Equal(500, status);
        var invocationId = body!["invocationId"]!.GetValue<string>();
        Assert.Contains(invocationId, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        await app.Host.WaitForOutputAsync(o => o.Contains($"invocation {invocationId} failed", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the middleware's log line");
        Assert.DoesNotContain(secret, body.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, app.Host.Output, StringComparison.Ordinal);
        Assert.Equal(0, app.Aws.Stats.TotalCalls);
    }
}
