using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Tests.History;

public class KeyEventDetectorTests
{
    private const int StuckDays = 7;
    private static readonly DateTimeOffset Day0 = new(2026, 9, 1, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compare_ShouldEmitNothingAndSetTheBaseline_WhenTheAccountHasNoSnapshot()
    {
        // Arrange: a user already stuck mid-rotation
        var keys = new[] { Key("a", "alice", created: Day0.AddDays(-100), lastUsed: Day0.AddDays(-1)), Key("b", "alice", created: Day0.AddDays(-30), slot: 2) };

        // Act
        var changes = KeyEventDetector.Compare(null, Observed(keys), Context("run-1", Day0), StuckDays);

        // Assert
        Assert.True(changes.IsBaseline);
        Assert.Empty(changes.Events);
        Assert.Equal(["a", "b"], changes.Snapshot.Keys.Select(k => k.Id));
        Assert.All(changes.Snapshot.Keys, k => Assert.Null(k.StuckReportedWith));
        Assert.Equal("run-1", changes.Snapshot.RunId);
    }

    [Fact]
    public void Compare_ShouldEmitCreatedDeletedActivatedAndDeactivated_WithBothStatesAndBothRunIds()
    {
        // Arrange
        var previous = Snapshot("run-1", Day0,
            Key("kept", "alice"), Key("gone", "bob"), Key("off", "carol"), Key("on", "dave", active: false));
        var now = new[]
        {
            Key("kept", "alice"), Key("new", "erin", created: Day0.AddHours(20)), Key("off", "carol", active: false), Key("on", "dave"),
        };

        // Act
        var changes = KeyEventDetector.Compare(previous, Observed(now), Context("run-2", Day0.AddDays(1)), StuckDays);

        // Assert
        Assert.False(changes.IsBaseline);
        Assert.Equal(
            [
                ("KeyCreated", "new", null, "Active"),
                ("KeyDeactivated", "off", "Active", "Inactive"),
                ("KeyActivated", "on", "Inactive", "Active"),
                ("KeyDeleted", "gone", "Active", null),
            ],
            changes.Events.Select(e => (e.EventType, e.AccessKeyIdHash, e.StatusBefore, e.StatusAfter)));
        Assert.All(changes.Events, e =>
        {
            Assert.Equal("run-2", e.RunId);
            Assert.Equal("run-1", e.PreviousRunId);
            Assert.Equal(Day0, e.PreviousCollectedAt);
            Assert.Equal(Day0.AddDays(1), e.CollectedAt);
            Assert.Equal("111122223333", e.AccountId);
        });
        Assert.Equal("bob", changes.Events.Single(e => e.EventType == KeyEventTypes.KeyDeleted).UserName);
        Assert.Equal(["kept", "new", "off", "on"], changes.Snapshot.Keys.Select(k => k.Id));
    }

    [Fact]
    public void Compare_ShouldEmitNothing_WhenNothingChanged()
    {
        // Arrange
        var keys = new[] { Key("a", "alice"), Key("b", "bob", active: false) };
        var first = KeyEventDetector.Compare(Snapshot("run-1", Day0, keys), Observed(keys), Context("run-2", Day0.AddDays(1)), StuckDays);

        // Act
        var second = KeyEventDetector.Compare(first.Snapshot, Observed(keys), Context("run-3", Day0.AddDays(2)), StuckDays);

        // Assert
        Assert.Empty(first.Events);
        Assert.Empty(second.Events);
    }

    [Fact]
    public void Compare_ShouldMatchKeysByHash_WhenTheUserWasRenamed()
    {
        // Act
        var changes = KeyEventDetector.Compare(
            Snapshot("run-1", Day0, Key("a", "alice")), Observed([Key("a", "alice.smith")]), Context("run-2", Day0.AddDays(1)), StuckDays);

        // Assert
        Assert.Empty(changes.Events);
        Assert.Equal("alice.smith", changes.Snapshot.Keys.Single().UserName);
    }

    [Theory]
    [InlineData(6, 1, false)] // the newer key is too young
    [InlineData(7, 1, true)] // exactly RotationStuckDays old, older key used yesterday
    [InlineData(30, 1, true)]
    [InlineData(30, 31, false)] // the older key was last used before the newer one was created
    public void StuckPair_ShouldNeedAnOldEnoughNewerKey_AndAnOlderKeyUsedAfterIt(int newerAgeDays, int olderLastUsedDaysAgo, bool stuck)
    {
        // Arrange
        var keys = new[]
        {
            Key("old", "alice", created: Day0.AddDays(-200), lastUsed: Day0.AddDays(-olderLastUsedDaysAgo)),
            Key("new", "alice", created: Day0.AddDays(-newerAgeDays), slot: 2, lastUsed: Day0.AddDays(-1)),
        };

        // Act
        var pair = KeyEventDetector.StuckPair(keys, Day0, StuckDays);

        // Assert
        Assert.Equal(stuck, pair is not null);
        if (pair is { } found)
        {
            Assert.Equal(("old", "new"), (found.Older.Id, found.Newer.Id));
        }
    }

    [Fact]
    public void StuckPair_ShouldBeNull_WhenTheOlderKeyWasNeverUsedOrOneKeyIsInactive()
    {
        // Arrange
        var neverUsed = new[] { Key("old", "alice", created: Day0.AddDays(-200)), Key("new", "alice", created: Day0.AddDays(-30), slot: 2) };
        var inactive = new[] { Key("old", "alice", created: Day0.AddDays(-200), lastUsed: Day0, active: false), Key("new", "alice", created: Day0.AddDays(-30), slot: 2) };

        // Act + Assert
        Assert.Null(KeyEventDetector.StuckPair(neverUsed, Day0, StuckDays));
        Assert.Null(KeyEventDetector.StuckPair(inactive, Day0, StuckDays));
    }

    [Fact]
    public void Compare_ShouldEmitRotationStuckOncePerEpisode_AndAgainAfterItClearedAndCameBack()
    {
        // Arrange: alice created her new key 10 days ago and still uses the old one
        var older = Key("old", "alice", created: Day0.AddDays(-200), lastUsed: Day0.AddDays(-1));
        var newer = Key("new", "alice", created: Day0.AddDays(-10), slot: 2);
        var baseline = KeyEventDetector.Compare(null, Observed([older, newer]), Context("run-1", Day0), StuckDays);

        // Act
        var day1 = KeyEventDetector.Compare(baseline.Snapshot, Observed([older, newer]), Context("run-2", Day0.AddDays(1)), StuckDays);
        var day2 = KeyEventDetector.Compare(day1.Snapshot, Observed([older, newer]), Context("run-3", Day0.AddDays(2)), StuckDays);
        var cleared = KeyEventDetector.Compare(day2.Snapshot, Observed([older with { Active = false }, newer]), Context("run-4", Day0.AddDays(3)), StuckDays);
        var back = KeyEventDetector.Compare(cleared.Snapshot, Observed([older with { LastUsedAt = Day0.AddDays(4) }, newer]), Context("run-5", Day0.AddDays(4)), StuckDays);

        // Assert
        var stuck = Assert.Single(day1.Events);
        Assert.Equal(KeyEventTypes.RotationStuck, stuck.EventType);
        Assert.Equal(("old", "new", newer.CreatedAt), (stuck.AccessKeyIdHash, stuck.NewerAccessKeyIdHash, stuck.NewerKeyCreatedAt));
        Assert.Equal(("Active", "Active"), (stuck.StatusBefore, stuck.StatusAfter));
        Assert.Contains("11 days old", stuck.Detail, StringComparison.Ordinal);
        Assert.Empty(day2.Events);
        Assert.Equal([KeyEventTypes.KeyDeactivated], cleared.Events.Select(e => e.EventType));
        Assert.Equal([KeyEventTypes.KeyActivated, KeyEventTypes.RotationStuck], back.Events.Select(e => e.EventType));
    }

    [Fact]
    public void Compare_ShouldCarryRootKeysOver_WhenTheCredentialReportWasUnavailable()
    {
        // Arrange
        var root = Key(SnapshotKey.RootId(1, Day0.AddDays(-400)), "<root_account>") with { RootKey = true };
        var previous = Snapshot("run-1", Day0, root, Key("a", "alice"));

        // Act
        var withoutReport = KeyEventDetector.Compare(previous, new ObservedKeys([Key("a", "alice")], RootKeysKnown: false), Context("run-2", Day0.AddDays(1)), StuckDays);
        var withReport = KeyEventDetector.Compare(previous, new ObservedKeys([Key("a", "alice")], RootKeysKnown: true), Context("run-2", Day0.AddDays(1)), StuckDays);

        // Assert
        Assert.Empty(withoutReport.Events);
        Assert.Contains(withoutReport.Snapshot.Keys, k => k.RootKey);
        var deleted = Assert.Single(withReport.Events);
        Assert.Equal((KeyEventTypes.KeyDeleted, true, null), (deleted.EventType, deleted.RootKey, deleted.AccessKeyIdHash));
    }

    [Fact]
    public void Compare_ShouldStartANewBaseline_WhenTheSnapshotIsOfAnotherVersionOrAccount()
    {
        // Arrange
        var otherVersion = Snapshot("run-1", Day0, Key("a", "alice")) with { Version = 99 };
        var otherAccount = Snapshot("run-1", Day0, Key("a", "alice")) with { AccountId = "444455556666" };

        // Act + Assert
        Assert.True(KeyEventDetector.Compare(otherVersion, Observed([]), Context("run-2", Day0), StuckDays).IsBaseline);
        Assert.True(KeyEventDetector.Compare(otherAccount, Observed([]), Context("run-2", Day0), StuckDays).IsBaseline);
    }

    [Fact]
    public void Compare_ShouldNotThrowAndKeepOneEntryPerKey_WhenTheSnapshotOrTheObservationListsAKeyTwice()
    {
        // Arrange: what a listing with one key under two users used to write, and such a listing again
        var previous = Snapshot("run-1", Day0, Key("a", "alice"), Key("a", "bob"), Key("b", "carol"));
        var observed = Observed([Key("a", "alice"), Key("a", "bob"), Key("b", "carol")]);

        // Act
        var changes = KeyEventDetector.Compare(previous, observed, Context("run-2", Day0.AddDays(1)), StuckDays);

        // Assert
        Assert.Empty(changes.Events);
        Assert.Equal([("a", "alice"), ("b", "carol")], changes.Snapshot.Keys.Select(k => (k.Id, k.UserName)));
    }

    internal static SnapshotKey Key(string id, string user, DateTimeOffset? created = null, DateTimeOffset? lastUsed = null, bool active = true, int slot = 1) =>
        new(id, user, $"arn:aws:iam::111122223333:user/{user}", slot, active, created ?? Day0.AddDays(-50), lastUsed);

    private static ObservedKeys Observed(IReadOnlyList<SnapshotKey> keys) => new(keys, RootKeysKnown: true);

    private static KeySnapshot Snapshot(string runId, DateTimeOffset at, params SnapshotKey[] keys) =>
        new(KeySnapshot.CurrentVersion, "aws", "111122223333", runId, at, keys);

    private static HistoryContext Context(string runId, DateTimeOffset at) => new("aws", "111122223333", "prod", runId, at);
}
