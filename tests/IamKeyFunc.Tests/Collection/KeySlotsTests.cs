using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;

namespace IamKeyFunc.Tests.Collection;

public class KeySlotsTests
{
    private static readonly DateTimeOffset Old = new(2025, 1, 10, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset New = new(2026, 6, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Used = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ByCreation_ShouldNumberTheOlderKeyOne_WhateverOrderIamListsThem()
    {
        // Act
        var slots = KeySlots.ByCreation([Key("AKIANEW", New), Key("AKIAOLD", Old)]);

        // Assert
        Assert.Equal([("AKIAOLD", 1), ("AKIANEW", 2)], slots.Select(s => (s.Key.AccessKeyId, s.Slot)));
    }

    [Fact]
    public void ByCreation_ShouldBreakTiesByKeyId_WhenBothKeysWereCreatedInTheSameSecond()
    {
        Assert.Equal(["AKIAA", "AKIAB"], KeySlots.ByCreation([Key("AKIAB", Old), Key("AKIAA", Old)]).Select(s => s.Key.AccessKeyId));
    }

    [Fact]
    public void Match_ShouldPutEachKeyInTheSlotWhoseRotationDateIsItsCreationDate()
    {
        // Arrange: the report lists the newer key first (an older key was deleted and slot 1 reused, say).
        var row = Row(Slot(1, active: true, New, Used), Slot(2, active: true, Old, null));

        // Act
        var matched = KeySlots.Match([Key("AKIAOLD", Old), Key("AKIANEW", New)], row);

        // Assert
        Assert.Equal([("AKIANEW", 1, (DateTimeOffset?)Used), ("AKIAOLD", 2, null)], matched.Select(m => (m.Key.AccessKeyId, m.Slot, m.Report?.LastUsedDate)));
    }

    [Fact]
    public void Match_ShouldMatchToTheSecond_WhenIamListsFractionsOfASecond()
    {
        // Act
        var matched = KeySlots.Match([Key("AKIAOLD", Old.AddMilliseconds(400))], Row(Slot(1, active: true, Old, Used), Empty(2)));

        // Assert
        Assert.Equal(Used, Assert.Single(matched).Report?.LastUsedDate);
    }

    [Fact]
    public void Match_ShouldGiveAnInactiveKeyTheSlotShowingNA_WithItsLastUse()
    {
        // Arrange: AWS documents last_rotated as N/A for inactive keys.
        var row = Row(Slot(1, active: false, lastRotated: null, Used), Slot(2, active: true, New, null));

        // Act
        var matched = KeySlots.Match([Key("AKIANEW", New), Key("AKIAOLD", Old, "Inactive")], row);

        // Assert
        Assert.Equal([("AKIAOLD", 1, (DateTimeOffset?)Used), ("AKIANEW", 2, null)], matched.Select(m => (m.Key.AccessKeyId, m.Slot, m.Report?.LastUsedDate)));
    }

    [Fact]
    public void Match_ShouldNotLendAnotherKeysLastUse_WhenTheKeyWasCreatedAfterTheReport()
    {
        // Arrange: the report shows a key (rotated since) that IAM no longer lists.
        var row = Row(Slot(1, active: true, Old, Used), Empty(2));

        // Act
        var matched = KeySlots.Match([Key("AKIANEW", New)], row);

        // Assert
        var only = Assert.Single(matched);
        Assert.Equal(1, only.Slot);
        Assert.Null(only.Report);
    }

    private static AccessKeyMetadata Key(string id, DateTimeOffset created, string status = "Active") => new("alice", id, status, created);

    private static CredentialReportAccessKey Slot(int slot, bool active, DateTimeOffset? lastRotated, DateTimeOffset? lastUsed) =>
        new(slot, active, lastRotated, lastUsed, lastUsed is null ? null : "us-east-1", lastUsed is null ? null : "sts");

    private static CredentialReportAccessKey Empty(int slot) => new(slot, false, null, null, null, null);

    private static CredentialReportRow Row(CredentialReportAccessKey one, CredentialReportAccessKey two) =>
        new("alice", "arn:aws:iam::111122223333:user/alice", Old, false, null, null, null, false, one, two);
}
