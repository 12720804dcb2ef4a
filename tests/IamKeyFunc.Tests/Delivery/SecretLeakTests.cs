using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Testing.Azure;

namespace IamKeyFunc.Tests.Delivery;

public sealed class SecretLeakTests
{
    [Fact]
    public async Task NoWorkspaceKeyTokenOrSignatureAppearsInLogsErrorsOrExceptions()
    {
        // Arrange: every path that logs or fails — retries, timeouts, a rotated key, a wrong key, vault and ingestion errors.
        await using var fakes = await AzureFakes.StartAsync();
        var output = new List<string>();
        var wrongKey = Convert.ToBase64String(new byte[64]);
        const string notBase64 = "definitely-not-a-key!";

        await using (var host = DeliveryHost.Create(fakes, settings: new Dictionary<string, string?> { ["IamKey:Delivery:RequestTimeout"] = "00:00:00.300", ["IamKey:Delivery:MaxAttempts"] = "5" }))
        {
            fakes.DataCollector.Faults.FailNext(429, retryAfterSeconds: 0).FailNext(503).SlowNext(TimeSpan.FromSeconds(30));
            fakes.DataCollector.RotateKeyAfterAcceptedPosts = 1;
            output.Add(Describe(await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(10))));
            output.Add(Describe(await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(10))));
            fakes.KeyVault.SetSecret(fakes.Options.WorkspaceKeySecretName, wrongKey);
            host.Get<WorkspaceKeyProvider>().Invalidate();
            output.Add(Describe(await host.Sink.SendRunSummariesAsync(SampleRecords.Summaries(3))));
            fakes.KeyVault.SetSecret(fakes.Options.WorkspaceKeySecretName, notBase64);
            host.Get<WorkspaceKeyProvider>().Invalidate();
            output.Add((await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(1)))).ToString());
            fakes.KeyVault.Forbidden = true;
            host.Get<WorkspaceKeyProvider>().Invalidate();
            output.Add((await Assert.ThrowsAsync<WorkspaceKeyException>(() => host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(1)))).ToString());
            output.Add(host.Logs.AllText);
        }

        await using (var host = DeliveryHost.Create(fakes, SinkMode.LogsIngestion))
        {
            fakes.LogsIngestion.Faults.FailNext(429, retryAfterSeconds: 0).FailNext(500, count: 3);
            output.Add(Describe(await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(5))));
            output.Add(Describe(await host.Sink.SendKeyRecordsAsync(SampleRecords.Keys(5))));
            output.Add(host.Logs.AllText);
        }

        // Assert: the scenario really ran (keys rotated, tokens issued, errors produced) and nothing secret was written.
        var secrets = fakes.Secrets
            .Append(wrongKey)
            .Append(notBase64)
            .Concat(fakes.DataCollector.Requests.Select(r => r.Header("Authorization")!.Split(':')[^1]))
            .ToList();
        Assert.True(fakes.DataCollector.AllKeys.Count >= 2);
        Assert.True(fakes.ManagedIdentity.IssuedTokens.Count >= 2);
        Assert.Contains(output, o => o.Contains("workspace key rejected", StringComparison.Ordinal));
        Assert.Contains(output, o => o.Contains("not a valid base64 workspace key", StringComparison.Ordinal));
        Assert.Contains(output, o => o.Contains("DeliveryResult { Records = 10, Delivered = 10, Failed = 0, Batches = 1, FailedBatches = 0", StringComparison.Ordinal));
        var text = string.Join("\n", output);
        Assert.All(secrets, secret => Assert.False(text.Contains(secret, StringComparison.Ordinal), "a secret appears in the output"));
    }

    private static string Describe(DeliveryResult result) => result.ToString();
}
