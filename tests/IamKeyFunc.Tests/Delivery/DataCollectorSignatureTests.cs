using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Tests.Delivery;

public sealed class DataCollectorSignatureTests
{
    // Computed by hand with: printf 'POST\n1024\napplication/json\nx-ms-date:Mon, 14 Sep 2026 12:00:00 GMT\n/api/logs' \
    //   | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo -n "$KEY" | base64 -d | xxd -p -c 256) -binary | base64
    private const string Key = "SWFtS2V5RnVuYyB0ZXN0IHdvcmtzcGFjZSBrZXkgMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYhIQ==";
    private const string Date = "Mon, 14 Sep 2026 12:00:00 GMT";
    private const string ExpectedSignature = "398a+Y6ltqym2md63LWxmSL7b32VJRE4wKYltLENJk0=";

    [Fact]
    public void StringToSign_IsTheDocumentedLayout()
    {
        Assert.Equal("POST\n1024\napplication/json\nx-ms-date:Mon, 14 Sep 2026 12:00:00 GMT\n/api/logs", DataCollectorSignature.StringToSign(1024, Date));
    }

    [Fact]
    public void Authorization_MatchesTheHandComputedSignature()
    {
        Assert.True(WorkspaceKey.TryCreate(Key, "v1", out var key));

        var header = DataCollectorSignature.Authorization("00000000-1111-2222-3333-444444444444", key!, 1024, Date);

        Assert.Equal($"SharedKey 00000000-1111-2222-3333-444444444444:{ExpectedSignature}", header);
    }

    [Fact]
    public void FormatDate_IsRfc1123InUtc()
    {
        var date = DataCollectorSignature.FormatDate(new DateTimeOffset(2026, 9, 14, 14, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(Date, date);
    }

    [Fact]
    public void WorkspaceKey_ToStringNeverShowsTheKey()
    {
        Assert.True(WorkspaceKey.TryCreate(Key, "v1", out var key));

        Assert.DoesNotContain(Key, key!.ToString(), StringComparison.Ordinal);
        Assert.Contains("redacted", key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("====")]
    public void WorkspaceKey_RefusesValuesThatAreNotBase64(string? value)
    {
        Assert.False(WorkspaceKey.TryCreate(value, null, out _));
    }

    [Fact]
    public async Task SendKeyRecords_SendsExactlyTheDocumentedRequest()
    {
        // Arrange: a record with non-ASCII text (the serializer escapes it; the service must store it unescaped).
        var time = new RecordingTimeProvider();
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { TimeProvider = time });
        const string resourceId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Web/sites/func-iamkeys";
        await using var host = DeliveryHost.Create(fakes, timeProvider: time, settings: new Dictionary<string, string?> { ["IamKey:DataCollector:AzureResourceId"] = resourceId });
        var record = SampleRecords.Key(1) with { UserName = "zoë-😀" };

        // Act
        var result = await host.Sink.SendKeyRecordsAsync([record]);

        // Assert: the fake recomputed the signature over these headers and accepted the post.
        Assert.True(result.Succeeded, result.Error);
        var request = Assert.Single(fakes.DataCollector.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/logs?api-version=2016-04-01", request.PathAndQuery);
        Assert.Equal("application/json", request.Header("Content-Type"));
        var json = $"[{JsonSerializer.Serialize(record, ReportJsonContext.Default.KeyRecord)}]";
        Assert.Equal(Encoding.UTF8.GetByteCount(json).ToString(CultureInfo.InvariantCulture), request.Header("Content-Length"));
        Assert.Equal("AwsAccessKeyReport", request.Header("Log-Type"));
        Assert.Equal(Date, request.Header("x-ms-date"));
        Assert.Equal("CollectedAt", request.Header("time-generated-field"));
        Assert.Equal(resourceId, request.Header("x-ms-AzureResourceId"));
        Assert.StartsWith($"SharedKey {fakes.DataCollector.WorkspaceId}:", request.Header("Authorization"), StringComparison.Ordinal);
        var stored = Assert.Single(fakes.DataCollector.Records("AwsAccessKeyReport"));
        Assert.Equal("zoë-😀", stored.GetProperty("UserName").GetString());
        Assert.Equal(result.Bytes, request.BodyLength);
    }

    [Fact]
    public async Task SendKeyRecords_PostsToTheWorkspaceOdsEndpointByDefault()
    {
        // Arrange: no Endpoint override; the Data Collector client's handler captures the request instead of sending it.
        await using var fakes = await AzureFakes.StartAsync();
        var capture = new CapturingHandler();
        await using var host = DeliveryHost.Create(
            fakes,
            settings: new Dictionary<string, string?> { ["IamKey:DataCollector:Endpoint"] = null },
            configure: services => services.AddHttpClient(DataCollectorSink.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => capture));

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(2));

        // Assert
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal($"https://{fakes.DataCollector.WorkspaceId}.ods.opinsights.azure.com/api/logs?api-version=2016-04-01", Assert.Single(capture.Uris).AbsoluteUri);
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public List<Uri> Uris { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uris.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
