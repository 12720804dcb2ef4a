using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Tests.Delivery;

public sealed class DataCollectorSinkTests
{
    private const string Table = "AwsAccessKeyReport";

    [Fact]
    public async Task SendKeyRecords_SplitsBatchesAtThePostLimit()
    {
        // Arrange: a 4,000-byte post limit on both sides (records are ~800 bytes).
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Options.MaxPostBytes = 4000;
        await using var host = DeliveryHost.Create(fakes, configure: PostLimit(4000));
        var records = SampleRecords.Keys(20);

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(records);

        // Assert: every record delivered once, in order, in posts under the limit, each post as full as it could be.
        Assert.Equal(new DeliveryResult(20, 20, 0, result.Batches, 0, result.Bytes, 0, null), result);
        var posts = fakes.DataCollector.Posts;
        Assert.True(posts.Count > 1);
        Assert.Equal(result.Batches, posts.Count);
        Assert.All(posts, p => Assert.Equal(200, p.Status));
        Assert.All(posts, p => Assert.True(p.BodyBytes <= 4000, $"{p.BodyBytes} bytes"));
        Assert.Equal(posts.Sum(p => (long)p.BodyBytes), result.Bytes);
        Assert.Equal(records.Select(r => r.UserName), fakes.DataCollector.Records(Table).Select(r => r.GetProperty("UserName").GetString()));
        var first = 0;
        for (var i = 0; i < posts.Count - 1; i++)
        {
            first += posts[i].Records;
            var next = JsonSerializer.SerializeToUtf8Bytes(records[first], ReportJsonContext.Default.KeyRecord).Length;
            Assert.True(posts[i].BodyBytes + 1 + next > 4000, $"post {i} had room for the next record");
        }
    }

    [Fact]
    public async Task SendKeyRecords_RefusesAFieldValueOver32KbBeforeSending()
    {
        // Arrange: record 2 has a 40,000-character user name.
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes);
        var records = SampleRecords.Keys(5);
        records[2] = SampleRecords.Key(2, padding: 40_000);

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(records);

        // Assert: counted as failed, named in the error, never sent (the fake refuses such fields, and saw none).
        Assert.Equal((5, 4, 1, 1, 0), (result.Records, result.Delivered, result.Failed, result.Batches, result.FailedBatches));
        Assert.Contains("Record 2", result.Error, StringComparison.Ordinal);
        Assert.Contains("'UserName'", result.Error, StringComparison.Ordinal);
        Assert.All(fakes.DataCollector.Posts, p => Assert.Equal(200, p.Status));
        Assert.Equal(4, fakes.DataCollector.Records(Table).Count);
    }

    [Fact]
    public async Task SendKeyRecords_RefusesARecordLargerThanThePostLimit()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, configure: PostLimit(2000));
        var records = SampleRecords.Keys(3);
        records[1] = SampleRecords.Key(1, padding: 3000);

        var result = await host.Sink.SendKeyRecordsAsync(records);

        Assert.Equal((3, 2, 1), (result.Records, result.Delivered, result.Failed));
        Assert.Contains("over the 2000-byte post limit", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, fakes.DataCollector.Records(Table).Count);
    }

    [Fact]
    public async Task SendKeyRecords_RecoversFrom429_500And503()
    {
        // Arrange
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.FailNext(503).FailNext(500).FailNext(429, retryAfterSeconds: 0);
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:Delivery:MaxAttempts"] = "4" });

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(7));

        // Assert
        Assert.Equal(new DeliveryResult(7, 7, 0, 1, 0, result.Bytes, 3, null), result);
        Assert.Equal([503, 500, 429, 200], fakes.DataCollector.Posts.Select(p => p.Status));
        Assert.Equal(7, fakes.DataCollector.Records(Table).Count);
    }

    [Fact]
    public async Task SendKeyRecords_WaitsWhatRetryAfterAsksBeforeRetrying()
    {
        // Arrange: fake time, so the 30-second wait is observed as a timer rather than waited out.
        var time = new RecordingTimeProvider();
        await using var fakes = await AzureFakes.StartAsync(new AzureFakesOptions { TimeProvider = time });
        fakes.DataCollector.Faults.FailNext(429, retryAfterSeconds: 30);
        await using var host = DeliveryHost.Create(fakes, timeProvider: time, settings: new Dictionary<string, string?> { ["IamKey:Delivery:RetryMaxDelay"] = "00:01:00" });

        // Act
        var sending = host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(3));
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        Assert.False(sending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await sending;

        // Assert: the retry was dated (and signed) 30 seconds after the throttled attempt.
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1, result.Retries);
        var dates = fakes.DataCollector.Posts.Select(p => DateTimeOffset.Parse(p.Date!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(TimeSpan.FromSeconds(30), dates[1] - dates[0]);
    }

    [Fact]
    public async Task SendKeyRecords_CountsABatchThatFailsAfterItsRetriesAndSendsTheRest()
    {
        // Arrange: several batches; the first one gets 503 on all three attempts.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.FailNext(503, count: 3);
        await using var host = DeliveryHost.Create(fakes, configure: PostLimit(4000));
        var records = SampleRecords.Keys(20);

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(records);

        // Assert: exact accounting, nothing dropped silently.
        var accepted = fakes.DataCollector.Posts.Where(p => p.Status == 200).ToList();
        var stored = fakes.DataCollector.Records(Table);
        Assert.Equal(20, result.Records);
        Assert.Equal(stored.Count, result.Delivered);
        Assert.Equal(20 - stored.Count, result.Failed);
        Assert.True(result.Failed > 0);
        Assert.Equal(accepted.Count + 1, result.Batches);
        Assert.Equal(1, result.FailedBatches);
        Assert.Equal(2, result.Retries);
        Assert.Contains("after 3 attempt(s)", result.Error, StringComparison.Ordinal);
        Assert.Contains("503", result.Error, StringComparison.Ordinal);
        Assert.Equal(records.Skip(result.Failed).Select(r => r.UserName), stored.Select(r => r.GetProperty("UserName").GetString()));
        Assert.False(result.Succeeded);
    }

    /// <summary>Before the fix, <c>retry-after-ms: NaN</c> on batch 2 threw out of the loop: Delivered=0 while batch 1 was stored and the rest never sent.</summary>
    [Theory]
    [InlineData("retry-after-ms", "NaN")]
    [InlineData("retry-after-ms", "-1")]
    [InlineData("retry-after-ms", "1e308")]
    [InlineData("Retry-After", "garbage")]
    [InlineData("Retry-After", "Thu, 01 Jan 2015 00:00:00 GMT")]
    [InlineData("Retry-After", "99999999999999999999")]
    public async Task SendKeyRecords_TreatsAMalformedRetryAfterAsAbsentAndSendsEveryBatch(string header, string value)
    {
        // Arrange: batch 1 is accepted, batch 2's first attempt gets 503 with a malformed wait.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.SlowNext(TimeSpan.Zero).FailNextWithHeader(503, header, value);
        await using var host = DeliveryHost.Create(fakes, configure: PostLimit(4000), settings: new Dictionary<string, string?> { ["IamKey:Delivery:RetryMaxDelay"] = "00:00:00.050" });
        var records = SampleRecords.Keys(20);

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(records).WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: the accounting equals what the workspace holds, and every batch was attempted.
        var stored = fakes.DataCollector.Records(Table);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((20, 20, 0, 1), (result.Records, result.Delivered, result.Failed, result.Retries));
        Assert.Equal(records.Select(r => r.UserName), stored.Select(r => r.GetProperty("UserName").GetString()));
        Assert.True(result.Batches > 2, $"{result.Batches} batches");
    }

    [Fact]
    public async Task SendKeyRecords_DoesNotRetryOther4xx()
    {
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.FailNext(400);
        await using var host = DeliveryHost.Create(fakes);

        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(4));

        // Refused, so never sent again.
        Assert.Equal(new DeliveryResult(4, 0, 4, 1, 1, 0, 0, result.Error) { Failures = [new FailedBatch([0, 1, 2, 3], Resendable: false, result.Error!)] }, result);
        Assert.Contains("refused batch 1/1: 400", result.Error, StringComparison.Ordinal);
        Assert.Single(fakes.DataCollector.Posts);
    }

    [Fact]
    public async Task SendKeyRecords_RetriesAResponseThatTimesOut()
    {
        // Arrange: the first response takes 30 s; the per-request timeout is 300 ms.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.SlowNext(TimeSpan.FromSeconds(30));
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:Delivery:RequestTimeout"] = "00:00:00.300" });

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(2));

        // Assert
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1, result.Retries);
        Assert.Equal(2, fakes.DataCollector.Records(Table).Count);
    }

    [Fact]
    public async Task SendKeyRecords_ReportsConnectionFaultsWithCountsWhenTheEndpointIsDown()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:DataCollector:Endpoint"] = $"https://127.0.0.1:{ClosedPort()}/" });

        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(3));

        // Out of attempts on connection faults: the recovery pass may send the batch again.
        Assert.Equal(new DeliveryResult(3, 0, 3, 1, 1, 0, 2, result.Error) { Failures = [new FailedBatch([0, 1, 2], Resendable: true, result.Error!)] }, result);
        Assert.Contains("HttpRequestException", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendKeyRecords_ReReadsTheKeyOnceWhenItIsRotatedMidRun()
    {
        // Arrange: the workspace key is regenerated (and the vault updated) after the second accepted post.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.RotateKeyAfterAcceptedPosts = 2;
        await using var host = DeliveryHost.Create(fakes, configure: PostLimit(4000));

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(20));

        // Assert: one 403, one extra vault read, every record delivered.
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(20, result.Delivered);
        Assert.Equal(1, result.Retries);
        Assert.Equal(0, result.FailedBatches);
        Assert.Equal(2, fakes.DataCollector.AllKeys.Count);
        Assert.Single(fakes.DataCollector.Posts, p => p is { Status: 403, ErrorCode: "InvalidAuthorization" });
        Assert.Equal(2, fakes.KeyVault.SecretReads);
        Assert.Equal(20, fakes.DataCollector.Records(Table).Count);
    }

    [Fact]
    public async Task SendKeyRecords_FailsClearlyWhenTheVaultHoldsAWrongKeyAfterTheReRead()
    {
        // Arrange: the vault holds a valid base64 value that is not this workspace's key.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.KeyVault.SetSecret(fakes.Options.WorkspaceKeySecretName, Convert.ToBase64String(new byte[64]));
        await using var host = DeliveryHost.Create(fakes, configure: PostLimit(4000));

        // Act
        var result = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(10));

        // Assert: the key was re-read exactly once, then every batch failed with a clear message.
        Assert.Equal(10, result.Failed);
        Assert.Equal(0, result.Delivered);
        Assert.Equal(result.Batches, result.FailedBatches);
        Assert.Equal(1, result.Retries);
        Assert.Equal(2, fakes.KeyVault.SecretReads);
        Assert.Contains("workspace key rejected after re-reading it from Key Vault", result.Error, StringComparison.Ordinal);
        Assert.Contains(fakes.Options.WorkspaceKeySecretName, result.Error, StringComparison.Ordinal);
        Assert.Empty(fakes.DataCollector.Records(Table));
    }

    [Fact]
    public async Task SendRunSummaries_GoesToTheSummaryLogType()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:Delivery:RunSummaryTable"] = "IamKeyHeartbeat" });

        var result = await host.Sink.SendRunSummariesAsync(SampleRecords.Summaries(3));

        Assert.Equal(new DeliveryResult(3, 3, 0, 1, 0, result.Bytes, 0, null), result);
        Assert.Equal(3, fakes.DataCollector.Records("IamKeyHeartbeat").Count);
        Assert.Equal("IamKeyHeartbeat", Assert.Single(fakes.DataCollector.Posts).LogType);
    }

    [Fact]
    public async Task Records_MapOntoTheDocumentedSuffixedColumns()
    {
        // Arrange: every property set, so every column appears.
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes);
        var key = SampleRecords.Key(1) with
        {
            Findings = "RotationOverdue,Unused",
            AccountName = "Production",
            OrganizationalUnitPath = "Root/Workloads/Prod",
            AccountTags = new Dictionary<string, string> { ["Environment"] = "prod" },
        };
        var summary = SampleRecords.Summaries(1)[0] with
        {
            AccountName = "Production",
            OrganizationalUnitPath = "Root/Workloads/Prod",
            AccountTags = new Dictionary<string, string> { ["Environment"] = "prod" },
        };

        // Act
        await host.Sink.SendKeyRecordsAsync([key]);
        await host.Sink.SendRunSummariesAsync([summary]);

        // Assert: the column names Log Analytics creates (also listed in the README).
        Assert.Equal(DataCollectorColumns.KeyRecord.Order(StringComparer.Ordinal), fakes.DataCollector.Columns(Table).Single().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(DataCollectorColumns.RunSummary.Order(StringComparer.Ordinal), fakes.DataCollector.Columns("AwsAccessKeyRunSummary").Single().Keys.Order(StringComparer.Ordinal));
        var tags = fakes.DataCollector.Columns(Table).Single()["AccountTags_s"];
        Assert.Equal((JsonValueKind.String, """{"Environment":"prod"}"""), (tags.ValueKind, tags.ValueKind == JsonValueKind.String ? tags.GetString() : null)); // no dynamic type: sent as JSON text
    }

    private static Action<IServiceCollection> PostLimit(int bytes) =>
        services => services.PostConfigure<DataCollectorOptions>(o => o.MaxPostBytes = bytes);

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
