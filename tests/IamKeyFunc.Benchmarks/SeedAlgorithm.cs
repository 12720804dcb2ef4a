using System.Globalization;
using System.Text.Json.Serialization;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Testing.Aws;

namespace IamKeyFunc.Benchmarks;

/// <summary>
/// The baseline: the seed's Lambda (<c>query_iam_users</c> → per user <c>query_access_keys</c> → per key
/// <c>get_access_key_last_used</c>) re-implemented on our <see cref="IamClient"/>, so that only the algorithm differs
/// from ours: same signing, same HTTP stack, same retry policy (the production <c>IamKey:Collection</c> defaults).
/// Like the seed it runs one account at a time and one call at a time, lists users with boto3's paginator (no
/// <c>MaxItems</c>, so IAM's default page of 100), and never reads the credential report (so it cannot see root keys).
/// </summary>
internal static class SeedAlgorithm
{
    public static async Task<IReadOnlyList<BaselineKey>> CollectAsync(
        IReadOnlyList<AwsAccountSession> sessions, IamClientFactory clients, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var loggedDate = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var records = new List<BaselineKey>();
        foreach (var session in sessions)
        {
            var iam = clients.Create(session);
            foreach (var user in await QueryIamUsersAsync(iam, loggedDate, cancellationToken).ConfigureAwait(false))
            {
                records.AddRange(await QueryAccessKeysAsync(iam, user, cancellationToken).ConfigureAwait(false));
            }
        }

        return records;
    }

    /// <summary><c>query_iam_users</c>: every page of <c>ListUsers</c>.</summary>
    private static async Task<List<SeedUser>> QueryIamUsersAsync(IamClient iam, string loggedDate, CancellationToken cancellationToken)
    {
        var users = new List<SeedUser>();
        string? marker = null;
        do
        {
            var page = await iam.ListUsersAsync(marker, maxItems: null, cancellationToken).ConfigureAwait(false);
            users.AddRange(page.Items.Select(u => new SeedUser(loggedDate, u.UserName, ParseArn(u.Arn))));
            marker = page.IsTruncated ? page.Marker : null;
        }
        while (marker is not null);
        return users;
    }

    /// <summary><c>query_access_keys</c>: the user's keys, then <c>GetAccessKeyLastUsed</c> for each, one after the other.</summary>
    private static async Task<List<BaselineKey>> QueryAccessKeysAsync(IamClient iam, SeedUser user, CancellationToken cancellationToken)
    {
        var keys = new List<BaselineKey>();
        foreach (var key in await iam.ListAccessKeysAsync(user.UserName, cancellationToken).ConfigureAwait(false))
        {
            var lastUsed = await iam.GetAccessKeyLastUsedAsync(key.AccessKeyId, cancellationToken).ConfigureAwait(false);
            keys.Add(new BaselineKey(new SeedKeyRecord
            {
                LoggedDate = user.LoggedDate,
                User = user.UserName,
                AccountNumber = user.AccountNumber,
                AccessKeyId = key.AccessKeyId[..4] + "..." + key.AccessKeyId[^4..],
                CreateDate = TransformDateTime(key.CreateDate),
                LastUsedDate = TransformDateTime(lastUsed.LastUsedDate),
                Region = lastUsed.LastUsedDate is null ? null : lastUsed.Region ?? "N/A",
                Status = key.Status,
                ServiceName = lastUsed.LastUsedDate is null ? null : lastUsed.ServiceName ?? "N/A",
            }, key, lastUsed));
        }

        return keys;
    }

    /// <summary><c>parse_arn</c>: the 12-digit account number after a colon.</summary>
    private static string ParseArn(string arn) => arn.Split(':')[4];

    /// <summary><c>transform_datetime</c>: <c>%Y-%m-%dT%H:%M:%S</c>.</summary>
    private static string? TransformDateTime(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);

    private sealed record SeedUser(string LoggedDate, string UserName, string AccountNumber);
}

/// <summary>One key found by the baseline: the record the seed would post, and what IAM answered (to check it).</summary>
internal sealed record BaselineKey(SeedKeyRecord Record, AccessKeyMetadata Key, AccessKeyLastUsed LastUsed)
{
    /// <summary>The key as the shared ground-truth oracle compares it (the seed numbers no slots and never reads root keys).</summary>
    public ObservedKey ToObserved() => new(
        Record.AccountNumber, Record.User, Key.AccessKeyId, IsRoot: false, Slot: 0, Key.Status, Key.CreateDate, LastUsed.LastUsedDate, LastUsed.Region, LastUsed.ServiceName);
}

/// <summary>The seed's <c>key_rec</c> dictionary, with its JSON names: what it posts to the Data Collector API.</summary>
internal sealed record SeedKeyRecord
{
    [JsonPropertyName("loggedDate")]
    public required string LoggedDate { get; init; }

    [JsonPropertyName("user")]
    public required string User { get; init; }

    [JsonPropertyName("account_number")]
    public required string AccountNumber { get; init; }

    public required string AccessKeyId { get; init; }

    public string? CreateDate { get; init; }

    public string? LastUsedDate { get; init; }

    public string? Region { get; init; }

    public required string Status { get; init; }

    public string? ServiceName { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<SeedKeyRecord>))]
internal sealed partial class SeedJsonContext : JsonSerializerContext;
