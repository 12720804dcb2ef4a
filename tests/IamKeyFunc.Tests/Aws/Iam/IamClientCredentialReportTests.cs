using System.Net;
using System.Text;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

public class IamClientCredentialReportTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static HttpResponseMessage Generate(string state) =>
        IamWire.Ok("GenerateCredentialReport", $"<State>{state}</State><Description>state {state}</Description>");

    private static HttpResponseMessage Report() =>
        IamWire.Ok("GetCredentialReport",
            $"<Content>{Convert.ToBase64String(Encoding.UTF8.GetBytes(CredentialReportParserTests.SampleCsv))}</Content>"
            + "<ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-09-15T11:58:02Z</GeneratedTime>");

    /// <summary>Answers each action from its own script; the last entry repeats.</summary>
    private static StubIamHandler Scripted(Dictionary<string, Func<HttpResponseMessage>[]> script)
    {
        var calls = new Dictionary<string, int>();
        return new StubIamHandler(r =>
        {
            lock (calls)
            {
                int n = calls[r.Action] = calls.GetValueOrDefault(r.Action) + 1;
                var steps = script[r.Action];
                return steps[Math.Min(n, steps.Length) - 1]();
            }
        });
    }

    private static string[] Actions(StubIamHandler handler) =>
        [.. handler.Requests.Select(r => r.Action.Replace("CredentialReport", "", StringComparison.Ordinal))];

    [Fact]
    public async Task Flow_PollsUntilCompleteThenGetsAndParsesTheReport()
    {
        var handler = Scripted(new()
        {
            ["GenerateCredentialReport"] = [() => Generate("STARTED"), () => Generate("INPROGRESS"), () => Generate("COMPLETE")],
            ["GetCredentialReport"] = [Report],
        });
        var client = IamTestClients.Create(handler);

        var report = await client.GetCredentialReportAsync(Generous);

        Assert.Equal(["Generate", "Generate", "Generate", "Get"], Actions(handler));
        Assert.Equal(new DateTimeOffset(2026, 9, 15, 11, 58, 2, TimeSpan.Zero), report.GeneratedTime);
        Assert.Equal(4, report.Rows.Count);
        Assert.NotNull(report.RootAccount);
    }

    [Fact]
    public async Task Flow_ReportInProgress_KeepsPollingTheReport()
    {
        var handler = Scripted(new()
        {
            ["GenerateCredentialReport"] = [() => Generate("COMPLETE")],
            ["GetCredentialReport"] = [() => IamWire.Error(HttpStatusCode.NotFound, "ReportInProgress"), Report],
        });
        var client = IamTestClients.Create(handler);

        var report = await client.GetCredentialReportAsync(Generous);

        Assert.Equal(["Generate", "Get", "Get"], Actions(handler));
        Assert.Equal(4, report.Rows.Count);
    }

    [Theory]
    [InlineData("ReportNotPresent")]
    [InlineData("ReportExpired")]
    public async Task Flow_MissingOrExpiredReport_GeneratesAgain(string code)
    {
        var handler = Scripted(new()
        {
            ["GenerateCredentialReport"] = [() => Generate("COMPLETE")],
            ["GetCredentialReport"] = [() => IamWire.Error(HttpStatusCode.Gone, code), Report],
        });
        var client = IamTestClients.Create(handler);

        await client.GetCredentialReportAsync(Generous);

        Assert.Equal(["Generate", "Get", "Generate", "Get"], Actions(handler));
    }

    [Fact]
    public async Task Flow_LimitExceeded_BacksOffAndTriesAgain()
    {
        var handler = Scripted(new()
        {
            ["GenerateCredentialReport"] = [() => IamWire.Error(HttpStatusCode.Conflict, "LimitExceeded"), () => Generate("COMPLETE")],
            ["GetCredentialReport"] = [Report],
        });
        var client = IamTestClients.Create(handler);

        await client.GetCredentialReportAsync(Generous);

        Assert.Equal(["Generate", "Generate", "Get"], Actions(handler));
    }

    [Fact]
    public async Task Flow_PastTheDeadline_ThrowsCredentialReportTimeout()
    {
        var handler = Scripted(new()
        {
            ["GenerateCredentialReport"] = [() => Generate("INPROGRESS")],
            ["GetCredentialReport"] = [Report],
        });
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.GetCredentialReportAsync(TimeSpan.FromMilliseconds(200)));

        Assert.Equal(IamErrorCodes.CredentialReportTimeout, ex.ErrorCode);
        Assert.Contains("InProgress", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(handler.Requests, r => r.Action == "GetCredentialReport");
    }

    [Fact]
    public async Task Flow_AccessDenied_SurfacesImmediately()
    {
        var handler = Scripted(new()
        {
            ["GenerateCredentialReport"] = [() => IamWire.Error(HttpStatusCode.Forbidden, "AccessDenied")],
            ["GetCredentialReport"] = [Report],
        });
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.GetCredentialReportAsync(Generous));

        Assert.Equal("AccessDenied", ex.ErrorCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Flow_CallerCancellation_IsNotReportedAsATimeout()
    {
        using var cts = new CancellationTokenSource();
        var handler = new StubIamHandler(_ =>
        {
            cts.Cancel();
            return Generate("INPROGRESS");
        });
        var client = IamTestClients.Create(handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetCredentialReportAsync(Generous, cts.Token));
    }

    [Fact]
    public async Task GetCredentialReport_WithUnreadableContent_ThrowsInvalidCredentialReport()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("GetCredentialReport", "<Content>%%%not-base64</Content><GeneratedTime>2026-09-15T11:58:02Z</GeneratedTime>"));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(() => client.GetCredentialReportAsync());

        Assert.Equal(IamErrorCodes.InvalidCredentialReport, ex.ErrorCode);
    }
}
