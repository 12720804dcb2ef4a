using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Testing.Aws;

namespace IamKeyFunc.IntegrationTests.Collection;

/// <summary>Compares collected records with the emulator's ground truth: the shared oracle, then every column field by field.</summary>
internal static class GroundTruth
{
    /// <summary>
    /// Every expected key has exactly one record and every record one expected key, with identical account, user,
    /// key, slot, status, dates, last use (date, region, service) and password/MFA flags. Root keys match by slot
    /// and carry no key ID.
    /// </summary>
    public static void AssertMatches(IReadOnlyList<ExpectedAccessKey> expected, IReadOnlyList<KeyRecord> records, string dataSource)
    {
        // The shared oracle first (the benchmark's): nothing lost, duplicated, unexpected or changed.
        var verification = Testing.Aws.GroundTruth.Verify(expected, records.Select(ObservedKey.From), includeRootKeys: true);
        Assert.True(verification.Passed, $"{verification.Describe()}: {string.Join("; ", verification.Samples)}");

        // Then what only the records carry: alias, ARN, password and MFA flags, key ID format, data source.
        Assert.Equal(expected.Count, records.Count);
        foreach (var key in expected)
        {
            var record = Assert.Single(records, r => r.AccountId == key.AccountId && (key.IsRoot
                ? r.RootKey && r.KeySlot == key.KeySlot
                : r.AccessKeyId == key.AccessKeyId));
            var because = $"{key.AccountId}/{key.UserName}/{key.AccessKeyId}";
            Assert.True(Same(key, record), $"{because}: expected {key} but got {record}");
            Assert.Equal(key.IsRoot ? "report" : dataSource, record.DataSource);
        }
    }

    private static bool Same(ExpectedAccessKey key, KeyRecord record) =>
        record.Partition == key.Partition
        && record.AccountAlias == key.AccountAlias
        && record.UserName == key.UserName
        && record.UserArn == key.UserArn
        && record.UserCreatedAt == key.UserCreatedAt
        && record.PasswordEnabled == key.PasswordEnabled
        && record.MfaActive == key.MfaActive
        && record.AccessKeyId == (key.IsRoot ? null : key.AccessKeyId)
        && record.KeyIdFormat == "Full"
        && record.KeySlot == key.KeySlot
        && record.Status == key.Status
        && record.KeyCreatedAt == key.CreateDate
        && record.LastUsedAt == key.LastUsedDate
        && record.LastUsedRegion == key.LastUsedRegion
        && record.LastUsedService == key.LastUsedService
        && record.NeverUsed == (key.LastUsedDate is null)
        && record.RootKey == key.IsRoot;

    /// <summary>The identity of a key in a record set, for comparing the two freshness modes.</summary>
    public static IEnumerable<string> KeySet(IEnumerable<KeyRecord> records) => records
        .Select(r => $"{r.AccountId}|{r.UserName}|{r.AccessKeyId}|{r.KeySlot}|{r.Status}|{r.KeyCreatedAt:O}|{r.LastUsedAt:O}|{r.LastUsedRegion}|{r.LastUsedService}|{r.PasswordEnabled}|{r.MfaActive}|{r.UserCreatedAt:O}")
        .Order(StringComparer.Ordinal);
}
