using System.Net;
using System.Text.RegularExpressions;
using IamKeyFunc.AwsEmulator.Hosting;

namespace IamKeyFunc.Tests.AwsEmulator;

public sealed partial class EmulatorHostTests
{
    [Fact]
    public async Task RunAsync_ShouldServeTheSampleOrganizationAndPrintTheSettings_UntilCancelled()
    {
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var run = EmulatorHost.RunAsync(new EmulatorHostSettings { Port = 0 }, synchronized, stop.Token);
        var endpoint = await WaitForEndpointAsync(output, run);
        using var http = new HttpClient();
        var answer = await http.PostAsync(endpoint, new FormUrlEncodedContent([new("Action", "ListUsers"), new("Version", "2010-05-08")]));
        await stop.CancelAsync();
        var exitCode = await run;

        var text = output.ToString();
        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode); // alive, and unsigned IAM calls are refused
        Assert.Equal(0, exitCode);
        Assert.Contains("IamKey__Aws__RoleArn=arn:aws:iam::111122223333:role/IamKeyFuncReader", text, StringComparison.Ordinal);
        Assert.Contains($"IamKey__Aws__StsEndpoint={endpoint}", text, StringComparison.Ordinal);
        Assert.Contains($"IamKey__Aws__IamEndpoint={endpoint}", text, StringComparison.Ordinal);
        Assert.Contains("IamKey__Aws__Audience=api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", text, StringComparison.Ordinal);
        Assert.Contains("IamKey__Aws__MemberAccountIds=444455556666,555566667777,777788889999", text, StringComparison.Ordinal); // not the suspended 888899990000
        Assert.Contains("AWS emulator stopped.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", text, StringComparison.Ordinal); // no token unless asked for
    }

    private static async Task<Uri> WaitForEndpointAsync(StringWriter output, Task<int> run)
    {
        for (var attempt = 0; attempt < 600 && !run.IsCompleted; attempt++)
        {
            if (EndpointLine().Match(output.ToString()) is { Success: true } match)
            {
                return new Uri(match.Groups[1].Value);
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"The emulator did not start:\n{output}");
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex EndpointLine();
}
