using System.Diagnostics;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>
/// The recovery pass against the Azure fakes: what a first send could not deliver is sent again, only that, until it
/// arrives or the deadline passes; the workspace ends with every record exactly once, or with an exact shortfall.
/// </summary>
public sealed class DeliveryRecoveryTests
{
    private const string Table = "AwsAccessKeyReport";
    private const string Stream = "Custom-AwsAccessKeyReport";
    private static readonly TimeSpan Plenty = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RecoverAsync_ShouldSendOnlyTheFailedBatchAgain_WhenTheDataCollectorComesBack()
    {
        // Arrange: three posts of ~5 records; every attempt at the one holding user-00007 fails until the recovery pass.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Options.MaxPostBytes = 4000;
        fakes.DataCollector.Faults.FailMatching(r => r.Body().Contains("user-00007", StringComparison.Ordinal), 503, count: 3);
        await using var host = DeliveryHost.Create(fakes, configure: services => services.PostConfigure<DataCollectorOptions>(o => o.MaxPostBytes = 4000));
        var records = SampleRecords.Keys(20);
        var first = await host.Sink.SendKeyRecordsAsync(records);
        var failed = UndeliveredBatch.From(DeliveryTable.KeyRecords, "111122223333", records, first);

        // Act
        var pass = await host.Get<DeliveryRecovery>().RecoverAsync(host.Sink, failed, DateTimeOffset.UtcNow + Plenty);
        var final = pass.Apply(first, DeliveryTable.KeyRecords, "111122223333");

        // Assert: one batch failed, it alone was sent again, and every record is in the workspace exactly once.
        var batch = Assert.Single(failed);
        Assert.Contains(7, batch.Positions);
        Assert.Equal((1, batch.Count, 1, false), (pass.RecoveredBatches, pass.RecoveredRecords, pass.Rounds, pass.DeadlineReached));
        Assert.Equal((20, 20, 0, 0, batch.Count, 1), (final.Records, final.Delivered, final.Failed, final.FailedBatches, final.Recovered, final.RecoveredBatches));
        Assert.Empty(final.Failures);
        Assert.Null(final.Error);
        Assert.Equal(records.Select(r => r.UserName).Order(), fakes.DataCollector.Records(Table).Select(r => r.GetProperty("UserName").GetString()).Order());
        Assert.Equal(3, fakes.DataCollector.Posts.Count(p => p.Status == 503));
        Assert.Equal(first.Batches, fakes.DataCollector.Posts.Count(p => p.Status == 200));
    }

    [Fact]
    public async Task RecoverAsync_ShouldResendOnlyTheRequestThatFailed_WhenLogsIngestionAcceptedTheOthersOfTheSameDelivery()
    {
        // Arrange: 60 records in several gzip requests; the one holding user-00030 is refused 3 times (its attempts), 3
        // more (the first round of the recovery pass), then accepted.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.LogsIngestion.Options.MaxRequestBytes = 2000;
        fakes.LogsIngestion.Faults.FailMatching(r => r.Body().Contains("user-00030", StringComparison.Ordinal), 500, count: 6);
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion, configure: services => services.PostConfigure<LogsIngestionOptions>(o => o.MaxRequestBytes = 2000));
        var records = SampleRecords.Keys(60);
        var first = await host.Sink.SendKeyRecordsAsync(records);
        var failed = UndeliveredBatch.From(DeliveryTable.KeyRecords, null, records, first);

        // Act
        var pass = await host.Get<DeliveryRecovery>().RecoverAsync(host.Sink, failed, DateTimeOffset.UtcNow + Plenty);
        var final = pass.Apply(first, DeliveryTable.KeyRecords, null);

        // Assert: the delivery was accepted in part; only the failed request's records were sent again, in two rounds.
        Assert.True(first.Delivered > 0 && first.Failed > 0, $"{first.Delivered} delivered, {first.Failed} failed");
        var batch = Assert.Single(failed);
        Assert.Equal(first.Failed, batch.Count);
        Assert.Equal((1, 2), (pass.RecoveredBatches, pass.Rounds));
        Assert.Equal((60, 60, 0, batch.Count), (final.Records, final.Delivered, final.Failed, final.Recovered));
        var stored = fakes.LogsIngestion.Records(Stream).Select(r => r.GetProperty("UserName").GetString()).ToList();
        Assert.Equal(records.Select(r => r.UserName).Order(), stored.Order());
        Assert.Equal(6, fakes.LogsIngestion.Posts.Count(p => p.Status == 500));
    }

    [Fact]
    public async Task RecoverAsync_ShouldStopAtTheDeadline_WithTheExactShortfall_WhenTheOutageOutlastsIt()
    {
        // Arrange: summaries are refused (503) for as long as the test runs; the key records go through.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.FailMatching(r => r.Table == "AwsAccessKeyRunSummary", 503, count: int.MaxValue);
        await using var host = DeliveryHost.Create(fakes);
        var summaries = SampleRecords.Summaries(4);
        var first = await host.Sink.SendRunSummariesAsync(summaries);
        var failed = UndeliveredBatch.From(DeliveryTable.RunSummaries, null, summaries, first);
        var keys = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(3));
        var clock = Stopwatch.StartNew();

        // Act
        var pass = await host.Get<DeliveryRecovery>().RecoverAsync(host.Sink, failed, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5));
        var final = pass.Apply(first, DeliveryTable.RunSummaries, null);

        // Assert: the pass ended by the deadline (generously bounded), nothing arrived, and it says exactly what is missing.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the pass took {clock.Elapsed}");
        Assert.True(pass.DeadlineReached);
        Assert.True(pass.Rounds >= 2, $"{pass.Rounds} rounds");
        Assert.Equal((4, 0, 4, 0, 0), (final.Records, final.Delivered, final.Failed, final.Recovered, final.RecoveredBatches));
        var missing = Assert.Single(final.Failures);
        Assert.Equal([0, 1, 2, 3], missing.Positions);
        Assert.True(missing.Resendable);
        Assert.Empty(fakes.DataCollector.Records("AwsAccessKeyRunSummary"));
        Assert.Equal(3, fakes.DataCollector.Records(Table).Count);
        Assert.True(keys.Succeeded);
    }

    [Fact]
    public async Task RecoverAsync_ShouldCloseABatchTheServiceRefuses_WithoutSendingItAgain()
    {
        // Arrange: the batch fails its 3 attempts (503), then its resend is refused (400).
        await using var fakes = await AzureFakes.StartAsync();
        fakes.DataCollector.Faults.FailNext(503, count: 3).FailNext(400);
        await using var host = DeliveryHost.Create(fakes);
        var records = SampleRecords.Keys(5);
        var first = await host.Sink.SendKeyRecordsAsync(records);
        var failed = UndeliveredBatch.From(DeliveryTable.KeyRecords, null, records, first);

        // Act
        var pass = await host.Get<DeliveryRecovery>().RecoverAsync(host.Sink, failed, DateTimeOffset.UtcNow + Plenty);
        var final = pass.Apply(first, DeliveryTable.KeyRecords, null);

        // Assert
        Assert.Equal((1, 0, false), (pass.Rounds, pass.RecoveredBatches, pass.DeadlineReached));
        Assert.Equal((5, 0, 5, 1), (final.Records, final.Delivered, final.Failed, final.FailedBatches));
        Assert.False(Assert.Single(final.Failures).Resendable);
        Assert.Contains("refused batch 1/1: 400", final.Error, StringComparison.Ordinal);
        Assert.Equal(4, fakes.DataCollector.Posts.Count);
    }

    [Fact]
    public async Task RecoverAsync_ShouldUseTheWorkspaceKeyAnotherDeliveryRead_WhenKeyVaultFailedForTheFirst()
    {
        // Arrange: Key Vault fails every attempt of the first delivery (3), then serves the second.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.KeyVault.Faults.FailNext(500, count: 3);
        await using var host = DeliveryHost.Create(fakes);
        var firstAccount = SampleRecords.Keys(4);
        var first = await host.Sink.SendKeyRecordsAsync(firstAccount);
        var second = await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(3));
        var failed = UndeliveredBatch.From(DeliveryTable.KeyRecords, "first", firstAccount, first);

        // Act
        var pass = await host.Get<DeliveryRecovery>().RecoverAsync(host.Sink, failed, DateTimeOffset.UtcNow + Plenty);

        // Assert: the key was read once, by the second delivery; the first one's records went with it, once.
        Assert.Contains("did not return secret", first.Error, StringComparison.Ordinal);
        Assert.True(second.Succeeded);
        Assert.Equal((1, 4), (pass.RecoveredBatches, pass.RecoveredRecords));
        Assert.Equal(1, fakes.KeyVault.SecretReads);
        Assert.Equal(7, fakes.DataCollector.Records(Table).Count);
    }

    [Fact]
    public async Task RecoverAsync_ShouldSendAgain_WhenNoTokenCouldBeHadForLogsIngestion()
    {
        // Arrange: the managed identity endpoint fails the first token request; the delivery fails without sending.
        await using var fakes = await AzureFakes.StartAsync();
        fakes.ManagedIdentity.Faults.FailNext(500);
        await using var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion);
        var records = SampleRecords.Keys(6);
        var first = await host.Sink.SendKeyRecordsAsync(records);
        var failed = UndeliveredBatch.From(DeliveryTable.KeyRecords, null, records, first);

        // Act
        var pass = await host.Get<DeliveryRecovery>().RecoverAsync(host.Sink, failed, DateTimeOffset.UtcNow + Plenty);

        // Assert
        Assert.Contains("Could not get a token", first.Error, StringComparison.Ordinal);
        Assert.Equal(0, first.Delivered);
        Assert.Single(fakes.LogsIngestion.Posts); // nothing was sent without a token: the one upload is the recovery pass's
        Assert.Equal((1, 6), (pass.RecoveredBatches, pass.RecoveredRecords));
        Assert.Equal(6, fakes.LogsIngestion.Records(Stream).Count);
    }

    [Fact]
    public async Task From_ShouldNameNothingToResend_WhenTheRecordsWereRefusedBeforeSending()
    {
        await using var fakes = await AzureFakes.StartAsync();
        await using var host = DeliveryHost.Create(fakes);
        var records = SampleRecords.Keys(3);
        records[1] = SampleRecords.Key(1, padding: 40_000);

        var result = await host.Sink.SendKeyRecordsAsync(records);

        Assert.Equal((2, 1), (result.Delivered, result.Failed));
        Assert.Equal(new FailedBatch([1], Resendable: false, result.Error!), Assert.Single(result.Failures));
        Assert.Empty(UndeliveredBatch.From(DeliveryTable.KeyRecords, null, records, result));
    }

    [Fact]
    public void From_ShouldNameNothingToResend_WhenTheSinkDidNotSayWhichRecordsFailed()
    {
        var records = SampleRecords.Keys(3);
        var thrown = DeliveryResult.Thrown(3, "InvalidOperationException: not configured");

        Assert.False(thrown.FailuresKnown);
        Assert.Empty(UndeliveredBatch.From(DeliveryTable.KeyRecords, null, records, thrown));
    }
}
