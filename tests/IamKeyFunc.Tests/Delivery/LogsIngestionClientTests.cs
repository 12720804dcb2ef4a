using System.Text;
using System.Text.Json;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Testing.Azure;

namespace IamKeyFunc.Tests.Delivery;

public sealed class LogsIngestionClientTests
{
    private const string Stream = "Custom-AwsAccessKeyReport";

    [Fact]
    public async Task Upload_SendsGzipJsonWithABearerTokenForTheMonitorAudience()
    {
        // Arrange
        await using var fakes = await AzureFakes.StartAsync();
        var client = CreateClient(fakes);
        var records = SampleRecords.Keys(5);

        // Act
        var result = await UploadRecords(client, fakes, records);

        // Assert
        var batch = Assert.Single(result.Batches);
        Assert.True(batch.Succeeded);
        Assert.Equal(1, batch.Attempts);
        var request = Assert.Single(fakes.LogsIngestion.Requests);
        Assert.Equal(204, request.Status);
        Assert.Equal($"/dataCollectionRules/{fakes.LogsIngestion.DcrImmutableId}/streams/{Stream}?api-version=2023-01-01", request.PathAndQuery);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal("gzip", request.Header("Content-Encoding"));
        Assert.True(Guid.TryParse(request.Header("x-ms-client-request-id"), out _));
        Assert.StartsWith("Bearer ", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("https://monitor.azure.com", Assert.Single(fakes.ManagedIdentity.TokenRequests).Resource);
        var post = Assert.Single(fakes.LogsIngestion.Posts);
        Assert.True(post.BodyBytes < post.UncompressedBytes);
        Assert.Equal(batch.CompressedBytes, post.BodyBytes);
        Assert.Equal(records.Select(r => r.UserName), fakes.LogsIngestion.Records(Stream).Select(r => r.GetProperty("UserName").GetString()));
    }

    [Fact]
    public async Task Upload_SplitsByRecordsSoEveryCompressedBodyIsUnderTheLimit()
    {
        // Arrange: a 2,000-byte limit on both sides.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.LogsIngestion.Options.MaxRequestBytes = 2000;
        var client = CreateClient(fakes, maxRequestBytes: 2000);
        var records = SampleRecords.Keys(200);

        // Act
        var result = await UploadRecords(client, fakes, records);

        // Assert: several batches, each under the limit as sent, every record once and in order.
        Assert.True(result.Batches.Count > 2);
        Assert.All(result.Batches, b => Assert.True(b.Succeeded, b.Error?.Message));
        Assert.All(fakes.LogsIngestion.Posts, p => Assert.True(p.BodyBytes <= 2000, $"{p.BodyBytes} bytes"));
        Assert.Equal(Enumerable.Range(0, 200), result.Batches.SelectMany(b => b.RecordIndexes));
        Assert.Equal(records.Select(r => r.UserName), fakes.LogsIngestion.Records(Stream).Select(r => r.GetProperty("UserName").GetString()));
        Assert.True(fakes.LogsIngestion.Posts.Sum(p => p.UncompressedBytes) > 2000 * result.Batches.Count, "the limit applies to the compressed body");
        Assert.Single(fakes.ManagedIdentity.TokenRequests);
    }

    [Fact]
    public async Task Upload_WaitsWhatRetryAfterAsksOn429()
    {
        // Arrange
        var time = new RecordingTimeProvider();
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { TimeProvider = time });
        fakes.LogsIngestion.Faults.FailNext(429, retryAfterSeconds: 20);
        var client = CreateClient(fakes, time: time);

        // Act
        var uploading = UploadRecords(client, fakes, SampleRecords.Keys(3));
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(20));
        Assert.False(uploading.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(20));
        var result = await uploading;

        // Assert: same client request ID on the retry.
        var batch = Assert.Single(result.Batches);
        Assert.True(batch.Succeeded);
        Assert.Equal(2, batch.Attempts);
        Assert.Equal([429, 204], fakes.LogsIngestion.Posts.Select(p => p.Status));
        Assert.Single(fakes.LogsIngestion.Posts.Select(p => p.ClientRequestId).Distinct());
    }

    [Fact]
    public async Task Upload_RetriesServerErrorsAndReportsExhaustedBatchesWithoutThrowing()
    {
        // Arrange: batch 1 recovers after 500 + 503; batch 2 gets 503 three times.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.LogsIngestion.Options.MaxRequestBytes = 2000;
        fakes.LogsIngestion.Faults.FailNext(500).FailNext(503);
        var client = CreateClient(fakes, maxRequestBytes: 2000);
        var records = SampleRecords.Keys(30);

        // Act
        var first = await UploadRecords(client, fakes, records.Take(1));
        fakes.LogsIngestion.Faults.FailNext(503, count: 3);
        var second = await UploadRecords(client, fakes, records);

        // Assert
        Assert.Equal(3, Assert.Single(first.Batches).Attempts);
        var failed = second.Batches[0];
        Assert.False(failed.Succeeded);
        Assert.Equal(3, failed.Attempts);
        Assert.Equal((503, "ServiceUnavailable"), (failed.Error!.Status, failed.Error.ErrorCode));
        Assert.NotNull(failed.Error.RequestId);
        Assert.All(second.Batches.Skip(1), b => Assert.True(b.Succeeded));
        Assert.Equal(30 - failed.RecordIndexes.Count, second.Delivered);
        Assert.Equal(failed.RecordIndexes.Count, second.Failed);
        Assert.Equal(1 + second.Delivered, fakes.LogsIngestion.Records(Stream).Count);
    }

    [Fact]
    public async Task Upload_ThrowsOneExceptionTypeWithCodeStatusAndRequestId()
    {
        await using var fakes = await AzureFakes.StartAsync();
        var client = CreateClient(fakes);

        var error = await Assert.ThrowsAsync<LogsIngestionException>(() =>
            UploadBody(client, fakes, "Custom-NotDeclared", Encoding.UTF8.GetBytes("[{\"a\":1}]")));

        Assert.Equal((400, "InvalidStream"), (error.Status, error.ErrorCode));
        Assert.True(Guid.TryParse(error.RequestId, out _));
        Assert.Contains("Custom-NotDeclared", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task Upload_RefusesATokenForTheWrongAudienceAfterOneFreshToken()
    {
        await using var fakes = await AzureFakes.StartAsync();
        var client = CreateClient(fakes, audience: new Uri("https://monitor.azure.us"));

        var error = await Assert.ThrowsAsync<LogsIngestionException>(() =>
            UploadBody(client, fakes, Stream, Encoding.UTF8.GetBytes("[{\"a\":1}]")));

        Assert.Equal((401, "InvalidAuthenticationToken"), (error.Status, error.ErrorCode));
        Assert.Equal(2, fakes.ManagedIdentity.TokenRequests.Count);
        Assert.All(fakes.ManagedIdentity.TokenRequests, r => Assert.Equal("https://monitor.azure.us", r.Resource));
    }

    [Fact]
    public async Task Upload_ReusesTheTokenUntilFiveMinutesBeforeItExpires()
    {
        var time = new RecordingTimeProvider();
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { TimeProvider = time });
        var client = CreateClient(fakes, time: time);
        var body = Encoding.UTF8.GetBytes("[{\"a\":1}]");

        await UploadBody(client, fakes, Stream, body);
        time.Advance(TimeSpan.FromMinutes(54));
        await UploadBody(client, fakes, Stream, body);
        Assert.Single(fakes.ManagedIdentity.TokenRequests);
        time.Advance(TimeSpan.FromMinutes(2));
        await UploadBody(client, fakes, Stream, body);

        Assert.Equal(2, fakes.ManagedIdentity.TokenRequests.Count);
        Assert.Equal(3, fakes.LogsIngestion.Posts.Count(p => p.Status == 204));
    }

    [Fact]
    public async Task Upload_RefusesARecordOverTheLimitBeforeSending()
    {
        await using var fakes = await AzureFakes.StartAsync();
        var client = CreateClient(fakes, maxRequestBytes: 100);
        var body = Encoding.UTF8.GetBytes($"{{\"a\":\"{Convert.ToBase64String(new Random(1).GetItems<byte>([.. Enumerable.Range(0, 256).Select(i => (byte)i)], 1000))}\"}}");

        var result = await client.UploadSerializedAsync(fakes.LogsIngestion.DcrImmutableId, Stream, [new SerializedRecord(0, body)], CancellationToken.None);

        var batch = Assert.Single(result.Batches);
        Assert.Equal((0, "RecordTooLarge"), (batch.Attempts, batch.Error?.ErrorCode));
        Assert.Empty(fakes.LogsIngestion.Requests);
    }

    private static Task<LogsUploadResult> UploadRecords(LogsIngestionClient client, AzureFakes fakes, IEnumerable<KeyRecord> records) =>
        client.UploadSerializedAsync(
            fakes.LogsIngestion.DcrImmutableId,
            Stream,
            [.. records.Select((r, i) => new SerializedRecord(i, JsonSerializer.SerializeToUtf8Bytes(r, ReportJsonContext.Default.KeyRecord)))],
            CancellationToken.None);

    private static Task<LogsUploadResponse> UploadBody(LogsIngestionClient client, AzureFakes fakes, string stream, byte[] json) =>
        client.UploadCompressedAsync(fakes.LogsIngestion.DcrImmutableId, stream, GzipJsonArrayBatcher.Compress(json), CancellationToken.None);

    private static LogsIngestionClient CreateClient(AzureFakes fakes, int maxRequestBytes = 1_000_000, TimeProvider? time = null, Uri? audience = null) =>
        new(fakes.LogsIngestion.Endpoint, fakes.CreateCredential(), new LogsIngestionClientOptions
        {
            Audience = audience ?? new Uri("https://monitor.azure.com"),
            MaxAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMinutes(1),
            TimeProvider = time ?? TimeProvider.System,
            HttpClientProvider = () => new HttpClient(fakes.Certificate.CreateHandler()),
            MaxRequestBytes = maxRequestBytes,
        });
}
