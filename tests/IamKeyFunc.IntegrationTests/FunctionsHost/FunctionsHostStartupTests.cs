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
    public async Task BadSettings_ShouldStopTheAppNamingEverySetting_WithoutEchoingTheToken_AndRunNoFunction()
    {
        // Problems in several sections, one of them a development token that is not a JWT (the token is the secret
        // that must not come back), and mistyped app settings that used to be ignored (a section, a setting, a policy
        // field): all are named at once, the typos with the setting they meant, before any function runs.
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await using var app = await HostedFunctionApp.StartAsync(
            settings =>
            {
                settings["IamKey__Collection__MaxParallelAccounts"] = "0";
                settings["IamKey__Identity__DevelopmentToken"] = $"not-a-jwt-{secret}";
                settings["IamKey__Colection__Mode"] = "Report";
                settings["IamKey__Aws__MemberRoleNmae"] = "IamKeyFuncMember";
                settings["IamKey__Policies__0__Name"] = "ci";
                settings["IamKey__Policies__0__UserNmae"] = "ci-*";
                settings["IamKey__Policies__0__RotationDays"] = "seven";
            },
            waitUntilStarted: false);

        // The worker exits with the validation message; the host relays it, retries the worker, then gives up.
        await app.Host.WaitForOutputAsync(
            o => o.Contains("Exceeded language worker restart retry count", StringComparison.Ordinal), TimeSpan.FromSeconds(300), "the host to give up on the worker");
        var output = app.Host.Output;

        Assert.Contains("IamKey:Collection:MaxParallelAccounts must be between 1 and 1000.", output, StringComparison.Ordinal);
        Assert.Contains("IamKey:Identity:DevelopmentToken must be a JWT with an exp claim", output, StringComparison.Ordinal);
        Assert.Contains("IamKey:Colection is not a known setting; did you mean Collection?", output, StringComparison.Ordinal);
        Assert.Contains("IamKey:Aws:MemberRoleNmae is not a known setting; did you mean MemberRoleName?", output, StringComparison.Ordinal);
        Assert.Contains("IamKey:Policies:0:UserNmae is not a known setting; did you mean UserName?", output, StringComparison.Ordinal);
        Assert.Contains("IamKey:Policies:0:RotationDays is 'seven': expected a number (Int32).", output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executing 'Functions.", output, StringComparison.Ordinal);
        Assert.NotEqual(200, await TryRefreshAsync(app));
        Assert.Equal(0, app.Aws.Stats.TotalCalls);
    }

    [HostFact]
    public async Task FailedTimerRun_ShouldFailTheInvocationThroughTheMiddleware_WithNoSecret()
    {
        // STS is unreachable (a closed loopback port), so every account fails, the run is Failed, and DailyReport throws:
        // the middleware logs the invocation and rethrows so that the host records the failure (and its retry policy applies).
        await using var app = await HostedFunctionApp.StartAsync(settings =>
        {
            settings["IamKey__Aws__StsEndpoint"] = "http://127.0.0.1:9/";
            settings["IamKey__Aws__StsMaxErrorRetry"] = "0";
        });

        var (status, _) = await app.AdminAsync(HttpMethod.Post, "admin/functions/DailyReport", """{"input":""}""");

        Assert.Equal(202, status);
        await app.Host.WaitForOutputAsync(o => o.Contains("Executed 'Functions.DailyReport' (Failed", StringComparison.Ordinal), TimeSpan.FromSeconds(120), "the failed timer run");
        var output = app.Host.Output;
        Assert.Matches(@"Function DailyReport invocation [0-9a-f-]{36} failed: InvalidOperationException", output);
        Assert.Contains("accounts failed", output, StringComparison.Ordinal);
        foreach (var secret in app.Secrets)
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }

        Assert.Equal(0, app.Aws.Stats.TotalCalls);
    }
}
