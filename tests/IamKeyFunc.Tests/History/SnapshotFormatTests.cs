using System.Text;
using IamKeyFunc.Reporting.History;

namespace IamKeyFunc.Tests.History;

public class SnapshotFormatTests
{
    private static readonly DateTimeOffset At = new(2026, 9, 1, 6, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("aws", "111122223333", "aws/111122223333.json")]
    [InlineData("aws-cn", "000000000000", "aws-cn/000000000000.json")]
    [InlineData("aws-us-gov", "999999999999", "aws-us-gov/999999999999.json")]
    public void Name_ShouldBePartitionSlashAccountJson_ForValidatedParts(string partition, string accountId, string name) =>
        Assert.Equal(name, SnapshotFormat.Name(partition, accountId));

    [Theory]
    [InlineData("aws", "../../x", "account ID '../../x'")]
    [InlineData("aws", "111122223333/../../x", "account ID '111122223333/../../x'")]
    [InlineData("aws", "11112222333\u001b", "account ID '11112222333\\u001b'")]
    [InlineData("aws", "\u0661\u0661\u0661\u0661\u0662\u0662\u0662\u0662\u0663\u0663\u0663\u0663", "12 ASCII digits")]
    [InlineData("../aws", "111122223333", "partition '../aws': expected one of aws, aws-cn, aws-us-gov")]
    [InlineData("aws\n", "111122223333", "partition 'aws\\u000a'")]
    public void Name_ShouldRefuseAnythingButAKnownPartitionAndTwelveAsciiDigits(string partition, string accountId, string message)
    {
        var error = Assert.Throws<SnapshotStoreException>(() => SnapshotFormat.Name(partition, accountId));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ShouldReturnTheSnapshot_WhenItHoldsEveryInvariant()
    {
        var snapshot = Snapshot(
            Key(new string('a', 64), "alice"),
            Key(new string('b', 64), "alice", slot: 2) with { StuckReportedWith = null },
            new SnapshotKey(SnapshotKey.RootId(1, At.AddYears(-2)), "<root_account>", "arn:aws:iam::111122223333:root", 1, true, At.AddYears(-2), null, RootKey: true));
        var withStuck = snapshot with { Keys = [snapshot.Keys[0] with { StuckReportedWith = new string('b', 64) }, .. snapshot.Keys.Skip(1)] };

        Assert.Equal(snapshot.Keys, SnapshotFormat.Read(SnapshotFormat.Serialize(snapshot), "aws", "111122223333").Snapshot?.Keys);
        Assert.Null(SnapshotFormat.Read(SnapshotFormat.Serialize(withStuck), "aws", "111122223333").Problem);
    }

    public static TheoryData<string, KeySnapshot> BrokenSnapshots()
    {
        var good = Snapshot(Key(new string('a', 64), "alice"));
        return new()
        {
            { "it is the snapshot of 'aws'/'444455556666'", good with { AccountId = "444455556666" } },
            { "its run ID '' is not a run ID", good with { RunId = "" } },
            { "it has no collection time", good with { CollectedAt = default } },
            { "it has format version 2", good with { Version = 2 } },
            { "key 2 ('alice', slot 1) is listed twice", good with { Keys = [good.Keys[0], good.Keys[0]] } },
            { "key 1: its ID 'root:1:unknown' is not a key ID's SHA-256", good with { Keys = [good.Keys[0] with { Id = "root:1:unknown" }] } },
            { "key 1: its ID 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a root key's", good with { Keys = [good.Keys[0] with { RootKey = true }] } },
            { "key 1: its ID 'root:2:unknown' is not a root key's", good with { Keys = [good.Keys[0] with { RootKey = true, Id = "root:2:unknown" }] } },
            { "key 1: slot 3 is not 1 or 2", good with { Keys = [good.Keys[0] with { Slot = 3 }] } },
            { "key 1: its user name '' is not a user name", good with { Keys = [good.Keys[0] with { UserName = "" }] } },
            { "key 1: its user name 'al\\u000aice' is not a user name", good with { Keys = [good.Keys[0] with { UserName = "al\nice" }] } },
            { "key 1: its user ARN 'arn:aws:iam::999999999999:user/alice' is not an ARN of this account", good with { Keys = [good.Keys[0] with { UserArn = "arn:aws:iam::999999999999:user/alice" }] } },
            { "the key of 'alice' in slot 1 refers to a newer key that is not in the snapshot", good with { Keys = [good.Keys[0] with { StuckReportedWith = new string('c', 64) }] } },
            { "it lists 10003 keys, more than an account can have (10002)", good with { Keys = [.. Enumerable.Range(0, 10003).Select(i => good.Keys[0] with { Id = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture) })] } },
        };
    }

    [Theory]
    [MemberData(nameof(BrokenSnapshots))]
    public void Check_ShouldNameTheFirstBrokenInvariant(string problem, KeySnapshot snapshot)
    {
        var found = SnapshotFormat.Check(snapshot, "aws", "111122223333");

        Assert.NotNull(found);
        Assert.StartsWith(problem, found, StringComparison.Ordinal);
        Assert.Equal(found, SnapshotFormat.Read(SnapshotFormat.Serialize(snapshot), "aws", "111122223333").Problem);
    }

    [Fact]
    public void Read_ShouldRefuseContentOverTheSizeBound_WithoutParsingIt()
    {
        var (snapshot, problem) = SnapshotFormat.Read(new byte[SnapshotFormat.MaxBytes + 1], "aws", "111122223333");

        Assert.Null(snapshot);
        Assert.Equal("it is 16777217 bytes, over the 16777216 bytes a snapshot may have", problem);
    }

    [Theory]
    [InlineData("{\"Version\":1,\"Partition\":\"aws\"", "it is not a readable snapshot (invalid JSON at line 1")]
    [InlineData("{\"Version\":\"one\"}", "it is not a readable snapshot (invalid JSON")]
    [InlineData("{\"Version\":1,\"Partition\":\"aws\",\"AccountId\":\"111122223333\",\"RunId\":\"r\",\"CollectedAt\":\"2026-09-01T06:00:00.000Z\"}", "it has no key list")]
    public void Read_ShouldSayWhyTheContentIsNotASnapshot(string json, string problem)
    {
        var (snapshot, found) = SnapshotFormat.Read(Encoding.UTF8.GetBytes(json), "aws", "111122223333");

        Assert.Null(snapshot);
        Assert.StartsWith(problem, found, StringComparison.Ordinal);
    }

    private static SnapshotKey Key(string id, string user, int slot = 1) =>
        new(id, user, $"arn:aws:iam::111122223333:user/{user}", slot, true, At.AddDays(-3), At.AddHours(-2));

    private static KeySnapshot Snapshot(params SnapshotKey[] keys) => new(KeySnapshot.CurrentVersion, "aws", "111122223333", "20260901T060000Z-0123abcd", At, keys);
}
