using System.Text.Json.Nodes;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>The README's <c>func start</c> steps, as <c>scripts/func-start.sh</c> runs them: Azurite, the AWS emulator, local.settings.json from the sample, the host.</summary>
[Collection(FunctionsHostCollection.Name)] // one host at a time: each start takes both cores for seconds
public sealed class FuncStartScriptTests
{
    [HostFact]
    public async Task Script_WithTheEmulator_ShouldServeADryRunRefreshOfTheSampleOrganization()
    {
        var state = Directory.CreateTempSubdirectory("iamkeyfunc-func-start-").FullName;
        await using var host = await FunctionsHostProcess.StartAsync([], new Dictionary<string, string?>(), state);
        await host.WaitUntilStartedAsync();
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/report/refresh?dryRun=true");
        request.Headers.Add("x-functions-key", host.FunctionKey);

        using var response = await http.SendAsync(request);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("PartiallySucceeded", body["status"]!.GetValue<string>()); // the sample's legacy account denies the central role
        Assert.Equal(4, body["accounts"]!.AsArray().Count);
        Assert.NotEmpty(body["records"]!.AsArray());
        Assert.Contains("func-start: emulator pid", host.Output, StringComparison.Ordinal);
    }
}
