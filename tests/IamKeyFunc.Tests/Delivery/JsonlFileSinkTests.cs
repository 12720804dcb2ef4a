using System.Text.Json;
using IamKeyFunc.Reporting.Delivery;

namespace IamKeyFunc.Tests.Delivery;

public sealed class JsonlFileSinkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iamkeys-jsonl-").FullName;

    [Fact]
    public async Task Sink_WritesOneObjectPerLineWithATableDiscriminator()
    {
        // Arrange
        var path = Path.Combine(_directory, "out", "report.jsonl");
        var keys = SampleRecords.Keys(3);

        // Act
        DeliveryResult keyResult, summaryResult;
        await using (var sink = new JsonlFileSink(path))
        {
            keyResult = await sink.SendKeyRecordsAsync(keys);
            summaryResult = await sink.SendRunSummariesAsync(SampleRecords.Summaries(2));
        }

        // Assert
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(5, lines.Length);
        var parsed = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["AwsAccessKeyReport", "AwsAccessKeyReport", "AwsAccessKeyReport", "AwsAccessKeyRunSummary", "AwsAccessKeyRunSummary"], parsed.Select(p => p.GetProperty("table").GetString()));
        Assert.Equal(keys.Select(k => k.UserName), parsed.Take(3).Select(p => p.GetProperty("UserName").GetString()));
        Assert.Equal("timer", parsed[3].GetProperty("Trigger").GetString());
        Assert.Equal(new DeliveryResult(3, 3, 0, 1, 0, keyResult.Bytes, 0, null), keyResult);
        Assert.Equal(new FileInfo(path).Length, keyResult.Bytes + summaryResult.Bytes);
    }

    [Fact]
    public async Task Sink_AppendsToAnExistingFile()
    {
        var path = Path.Combine(_directory, "report.jsonl");
        await File.WriteAllTextAsync(path, "{\"table\":\"earlier\"}\n");

        await using (var sink = new JsonlFileSink(path, "Keys", "Runs"))
        {
            await sink.SendKeyRecordsAsync(SampleRecords.Keys(1));
        }

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal("Keys", JsonDocument.Parse(lines[1]).RootElement.GetProperty("table").GetString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
