using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CsCheck;
using IamKeyFunc.Reporting.Delivery;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>
/// Random records and limits through both batchers: every record lands exactly once, in order, either in a batch whose
/// body is a JSON array of exactly its records within the limit, or among the too-large ones.
/// </summary>
public sealed class BatcherPropertyTests
{
    private static readonly Gen<List<SerializedRecord>> Records =
        Gen.String[Gen.Char.AlphaNumeric, 0, 400].Array[0, 40]
            .Select(values => values.Select((v, i) => new SerializedRecord(i, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { i, v })))).ToList());

    [Fact]
    public void JsonArrayBatcher_KeepsEveryRecordOnceInOrderWithinTheLimit() =>
        Gen.Select(Records, Gen.Int[2, 3000]).Sample(input =>
        {
            var (records, max) = input;
            var tooLarge = new List<SerializedRecord>();

            var batches = JsonArrayBatcher.Pack(records, max, tooLarge);

            AssertPartition(records, batches, tooLarge, body => body, max);
        }, iter: 300);

    [Fact]
    public void GzipJsonArrayBatcher_KeepsEveryRecordOnceInOrderWithinTheLimit() =>
        Gen.Select(Records, Gen.Int[30, 3000]).Sample(input =>
        {
            var (records, max) = input;
            var tooLarge = new List<SerializedRecord>();

            var batches = GzipJsonArrayBatcher.Pack(records, max, tooLarge);

            AssertPartition(records, batches, tooLarge, Gunzip, max);
        }, iter: 150);

    private static void AssertPartition(List<SerializedRecord> records, List<RecordBatch> batches, List<SerializedRecord> tooLarge, Func<byte[], byte[]> json, int max)
    {
        Assert.Equal(records.Select(r => r.Index), batches.SelectMany(b => b.Records).Concat(tooLarge).Select(r => r.Index).Order());
        Assert.Equal(batches.SelectMany(b => b.Records).Select(r => r.Index), batches.SelectMany(b => b.Records).Select(r => r.Index).Order());
        foreach (var batch in batches)
        {
            Assert.NotEmpty(batch.Records);
            Assert.True(batch.Body.Length <= max, $"{batch.Body.Length} > {max}");
            using var document = JsonDocument.Parse(json(batch.Body));
            Assert.Equal(
                batch.Records.Select(r => Encoding.UTF8.GetString(r.Utf8)),
                document.RootElement.EnumerateArray().Select(e => e.GetRawText()));
        }
    }

    private static byte[] Gunzip(byte[] body)
    {
        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
