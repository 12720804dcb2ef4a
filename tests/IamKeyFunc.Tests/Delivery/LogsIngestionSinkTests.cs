using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Tests.Delivery;

public sealed class LogsIngestionSinkTests
{
    [Fact]
    public async Task Sink_DeliversBothTablesToTheirStreamsWithPlainColumnNames()
    {
        // Arrange
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion);
        var keys = SampleRecords.Keys(25);

        // Act
        var keyResult = await host.Sink.SendKeyRecordsAsync(keys);
        var summaryResult = await host.Sink.SendRunSummariesAsync(SampleRecords.Summaries(2));

        // Assert
        Assert.IsType<LogsIngestionSink>(host.Sink);
        Assert.Equal(new DeliveryResult(25, 25, 0, 1, 0, keyResult.Bytes, 0, null), keyResult);
        Assert.Equal(new DeliveryResult(2, 2, 0, 1, 0, summaryResult.Bytes, 0, null), summaryResult);
        var stored = fakes.LogsIngestion.Records("Custom-AwsAccessKeyReport");
        Assert.Equal(keys.Select(k => k.UserName), stored.Select(r => r.GetProperty("UserName").GetString()));
        Assert.Equal("2026-09-14T12:00:00.000Z", stored[0].GetProperty("CollectedAt").GetString());
        Assert.Equal(2, fakes.LogsIngestion.Records("Custom-AwsAccessKeyRunSummary").Count);
        Assert.Equal(keyResult.Bytes, fakes.LogsIngestion.Posts[0].UncompressedBytes);
    }

    [Fact]
    public async Task Sink_CountsBatchesRetriesAndBytesExactly()
    {
        // Arrange: small batches; the first batch recovers after a 429.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.LogsIngestion.Options.MaxRequestBytes = 2000;
        fakes.LogsIngestion.Faults.FailNext(429, retryAfterSeconds: 0);
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion, configure: RequestLimit(2000));
        var records = SampleRecords.Keys(60);

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(records);

        // Assert
        var posts = fakes.LogsIngestion.Posts;
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(60, result.Delivered);
        Assert.Equal(1, result.Retries);
        Assert.Equal(posts.Count(p => p.Status == 204), result.Batches);
        Assert.Equal(posts.Where(p => p.Status == 204).Sum(p => (long)p.UncompressedBytes), result.Bytes);
    }

    [Theory]
    [InlineData("retry-after-ms", "NaN")]
    [InlineData("x-ms-retry-after-ms", "Infinity")]
    [InlineData("Retry-After", "-5")]
    [InlineData("Retry-After", "Thu, 01 Jan 2015 00:00:00 GMT")]
    public async Task Sink_TreatsAMalformedRetryAfterAsAbsentAndSendsEveryBatch(string header, string value)
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.LogsIngestion.Options.MaxRequestBytes = 2000;
        fakes.LogsIngestion.Faults.SlowNext(TimeSpan.Zero).FailNextWithHeader(429, header, value);
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion, configure: RequestLimit(2000), settings: new Dictionary<string, string?> { ["IamKey:Delivery:RetryMaxDelay"] = "00:00:00.050" });

        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(200)).WaitAsync(TimeSpan.FromSeconds(60));

        var stored = fakes.LogsIngestion.Records("Custom-AwsAccessKeyReport").Count;
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((200, 200, 200, 0, 1), (result.Records, stored, result.Delivered, result.Failed, result.Retries));
        Assert.True(result.Batches > 2, $"{result.Batches} batches");
    }

    [Fact]
    public async Task Sink_ReportsAnExhaustedBatchAndStillSendsTheRest()
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.LogsIngestion.Options.MaxRequestBytes = 2000;
        fakes.LogsIngestion.Faults.FailNext(500, count: 3);
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion, configure: RequestLimit(2000));

        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(60));

        var stored = fakes.LogsIngestion.Records("Custom-AwsAccessKeyReport").Count;
        Assert.Equal((60, stored, 60 - stored, 1, 2), (result.Records, result.Delivered, result.Failed, result.FailedBatches, result.Retries));
        Assert.Equal(fakes.LogsIngestion.Posts.Count(p => p.Status == 204) + 1, result.Batches);
        Assert.Contains("Logs Ingestion answered 500", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sink_RefusesAFieldValueOver64KbBeforeSending()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion);
        var records = SampleRecords.Keys(3);
        records[0] = SampleRecords.Key(0, padding: 70_000);

        var result = await host.Sink.SendKeyRecordsAsync(records);

        Assert.Equal((3, 2, 1, 1, 0), (result.Records, result.Delivered, result.Failed, result.Batches, result.FailedBatches));
        Assert.Contains("'UserName'", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, fakes.LogsIngestion.Records("Custom-AwsAccessKeyReport").Count);
    }

    private static Action<IServiceCollection> RequestLimit(int bytes) =>
        services => services.PostConfigure<LogsIngestionOptions>(o => o.MaxRequestBytes = bytes);
}
