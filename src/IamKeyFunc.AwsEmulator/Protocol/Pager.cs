using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>
/// <c>Marker</c>/<c>MaxItems</c> pagination with opaque markers: base64 of the next index (masked) and an HMAC over the
/// list it belongs to, keyed per server, so a client can neither compute nor reuse markers across lists.
/// Optionally answers short pages (see <see cref="EmulatorOptions.ShrinkPageProbability"/>).
/// </summary>
internal sealed class Pager(EmulatorOptions options)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Random _random = new(options.Seed);
    private readonly Lock _randomGate = new();

    public bool TryPage(QueryRequest request, int total, string listContext, out Page page, out QueryResponse? error)
    {
        page = default;
        error = null;
        var maxItems = 100;
        if (request.Get("MaxItems") is { } rawMaxItems)
        {
            if (!int.TryParse(rawMaxItems, NumberStyles.None, CultureInfo.InvariantCulture, out maxItems) || maxItems is < 1 or > 1000)
            {
                error = request.ValidationError(
                    $"1 validation error detected: Value '{rawMaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
                return false;
            }
        }

        if (!TryPage(request.Get("Marker"), maxItems, total, listContext, out page))
        {
            error = request.ValidationError("Invalid value for the parameter Marker: it was not returned by a previous call to this operation.");
            return false;
        }

        return true;
    }

    /// <summary>A page of at most <paramref name="maxItems"/> from <paramref name="marker"/> (null = the first); false when the marker is not ours.</summary>
    public bool TryPage(string? marker, int maxItems, int total, string listContext, out Page page)
    {
        page = default;
        var start = 0;
        if (marker is not null && !TryDecode(marker, listContext, out start))
        {
            return false;
        }

        start = Math.Min(start, total);
        var count = Math.Min(maxItems, total - start);
        if (start + count < total && count > 1 && options.ShrinkPageProbability > 0)
        {
            lock (_randomGate)
            {
                if (_random.NextDouble() < options.ShrinkPageProbability)
                {
                    count = 1 + _random.Next(count - 1);
                }
            }
        }

        var next = start + count;
        page = new Page(start, count, next < total ? Encode(next, listContext) : null);
        return true;
    }

    private string Encode(int index, string listContext)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(bytes, index ^ Mask(listContext));
        Tag(listContext, index).CopyTo(bytes.AsSpan(4));
        return Convert.ToBase64String(bytes);
    }

    private bool TryDecode(string marker, string listContext, out int index)
    {
        index = 0;
        var bytes = new byte[16];
        if (!Convert.TryFromBase64String(marker, bytes, out var written) || written != 16)
        {
            return false;
        }

        index = BinaryPrimitives.ReadInt32BigEndian(bytes) ^ Mask(listContext);
        return index >= 0 && CryptographicOperations.FixedTimeEquals(bytes.AsSpan(4), Tag(listContext, index));
    }

    private int Mask(string listContext) =>
        BinaryPrimitives.ReadInt32BigEndian(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("mask|" + listContext)));

    private byte[] Tag(string listContext, int index) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"tag|{listContext}|{index}")))[..12];
}

/// <summary>Items <c>[Start, Start + Count)</c>; <see cref="NextMarker"/> null on the last page.</summary>
internal readonly record struct Page(int Start, int Count, string? NextMarker)
{
    public bool IsTruncated => NextMarker is not null;
}
