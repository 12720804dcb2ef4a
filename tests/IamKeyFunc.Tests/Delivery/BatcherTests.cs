using System.IO.Compression;
using System.Text;
using System.Text.Json;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Tests.Delivery;

public sealed class BatcherTests
{
    [Fact]
    public void JsonArrayBatcher_FillsABatchToExactlyTheLimitAndNoFurther()
    {
        // Arrange: three 10-byte records: [r,r] is 23 bytes, [r,r,r] is 34 bytes.
        var records = Enumerable.Range(0, 3).Select(i => Record(i, "{\"a\":\"xx\"}")).ToList();

        // Act
        var exact = JsonArrayBatcher.Pack(records, 34, []);
        var oneShort = JsonArrayBatcher.Pack(records, 33, []);

        // Assert
        Assert.Equal(34, Assert.Single(exact).Body.Length);
        Assert.Equal([23, 12], oneShort.Select(b => b.Body.Length));
        Assert.Equal("[{\"a\":\"xx\"},{\"a\":\"xx\"}]", Encoding.UTF8.GetString(oneShort[0].Body));
    }

    [Fact]
    public void JsonArrayBatcher_SetsAsideARecordThatCannotFitAlone()
    {
        var records = new List<SerializedRecord> { Record(0, "{\"a\":1}"), Record(1, "{\"a\":\"" + new string('x', 50) + "\"}"), Record(2, "{\"a\":2}") };
        var tooLarge = new List<SerializedRecord>();

        var batches = JsonArrayBatcher.Pack(records, 30, tooLarge);

        Assert.Equal(1, Assert.Single(tooLarge).Index);
        Assert.Equal([0, 2], batches.SelectMany(b => b.Records).Select(r => r.Index));
    }

    [Fact]
    public void GzipJsonArrayBatcher_KeepsEveryCompressedBodyUnderTheLimitAndEveryRecordInOrder()
    {
        // Arrange: poorly compressible records (random hex), so the limit is reached quickly.
        var random = new Random(42);
        var records = Enumerable.Range(0, 300)
            .Select(i => Record(i, $"{{\"i\":{i},\"v\":\"{Convert.ToHexString(random.GetItems<byte>([.. Enumerable.Range(0, 256).Select(b => (byte)b)], 40))}\"}}"))
            .ToList();

        // Act
        var batches = GzipJsonArrayBatcher.Pack(records, 4096, []);

        // Assert: each body decompresses to exactly the JSON array of its records.
        Assert.True(batches.Count > 3);
        Assert.All(batches, b => Assert.True(b.Body.Length <= 4096, $"{b.Body.Length} bytes"));
        Assert.Equal(Enumerable.Range(0, 300), batches.SelectMany(b => b.Records).Select(r => r.Index));
        foreach (var batch in batches)
        {
            Assert.Equal(JsonArrayBatcher.ToJsonArray(batch.Records), Gunzip(batch.Body));
            Assert.Equal(batch.UncompressedBytes, JsonArrayBatcher.ToJsonArray(batch.Records).Length);
        }
    }

    [Fact]
    public void GzipJsonArrayBatcher_FillsBatchesAlmostToTheLimit()
    {
        // Arrange: realistic key records with distinct user names, a 64 KB limit.
        var records = SampleRecords.Keys(3000)
            .Select((r, i) => new SerializedRecord(i, JsonSerializer.SerializeToUtf8Bytes(r with { UserName = $"user-{Guid.NewGuid()}" }, ReportJsonContext.Default.KeyRecord)))
            .ToList();

        // Act
        var batches = GzipJsonArrayBatcher.Pack(records, 64_000, []);

        // Assert: no batch but the last could have taken the next record without coming close to the limit.
        Assert.True(batches.Count > 2);
        var next = 0;
        foreach (var batch in batches.SkipLast(1))
        {
            next += batch.Records.Count;
            var grown = JsonArrayBatcher.ToJsonArray([.. batch.Records, records[next]]);
            Assert.True(GzipJsonArrayBatcher.Compress(grown).Length > 0.9 * 64_000, "a batch stopped well before the limit");
        }
    }

    [Fact]
    public void GzipJsonArrayBatcher_SetsAsideARecordThatCannotFitAlone()
    {
        var random = new Random(7);
        var huge = Record(1, $"{{\"v\":\"{Convert.ToBase64String(random.GetItems<byte>([.. Enumerable.Range(0, 256).Select(b => (byte)b)], 3000))}\"}}");
        var tooLarge = new List<SerializedRecord>();

        var batches = GzipJsonArrayBatcher.Pack([Record(0, "{\"a\":1}"), huge, Record(2, "{\"a\":2}")], 1024, tooLarge);

        Assert.Equal(1, Assert.Single(tooLarge).Index);
        Assert.Equal([0, 2], batches.SelectMany(b => b.Records).Select(r => r.Index));
    }

    [Fact]
    public void RecordSerializer_FindsTheFieldOverTheLimitByUnescapedUtf8Length()
    {
        // 'é' is 2 UTF-8 bytes and is escaped as \u00E9 (6 bytes) in the JSON text.
        var json = Encoding.UTF8.GetBytes("{\"Short\":\"ok\",\"Long\":\"" + string.Concat(Enumerable.Repeat("\\u00E9", 10)) + "\"}");

        Assert.Equal(("Long", 20), RecordSerializer.FindOversizedField(json, 19));
        Assert.Null(RecordSerializer.FindOversizedField(json, 20));
    }

    private static SerializedRecord Record(int index, string json) => new(index, Encoding.UTF8.GetBytes(json));

    private static byte[] Gunzip(byte[] body)
    {
        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
