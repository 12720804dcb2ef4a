namespace IamKeyFunc.Reporting.Records;

/// <summary>
/// One change to an access key between an account's previous successful snapshot and this run: the
/// <c>AwsAccessKeyEvents</c> table. An account's first run sets its baseline and emits none. Property names are the
/// column names (Logs Ingestion) or the column stems (Data Collector adds <c>_s</c>, <c>_d</c>, <c>_b</c>, <c>_t</c>);
/// tests check the Bicep table schema, the DCR stream, the README column list and the sinks against this type.
/// </summary>
public sealed record KeyEvent
{
    /// <summary>The run that saw the change.</summary>
    public required string RunId { get; init; }

    /// <summary>When that run started (UTC). Used as <c>TimeGenerated</c> by both sinks.</summary>
    public required DateTimeOffset CollectedAt { get; init; }

    /// <summary>The run whose snapshot this one was compared with.</summary>
    public required string PreviousRunId { get; init; }

    public required DateTimeOffset PreviousCollectedAt { get; init; }

    /// <summary><c>KeyCreated</c>, <c>KeyDeleted</c>, <c>KeyActivated</c>, <c>KeyDeactivated</c> or <c>RotationStuck</c>.</summary>
    public required string EventType { get; init; }

    public required string Partition { get; init; }

    public required string AccountId { get; init; }

    public string? AccountAlias { get; init; }

    /// <summary>IAM user name, or <c>&lt;root_account&gt;</c>.</summary>
    public required string UserName { get; init; }

    public required string UserArn { get; init; }

    /// <summary>Lowercase hex SHA-256 of the key ID (joins to CloudTrail with <c>hash_sha256()</c>); null for root keys, whose IDs IAM does not disclose.</summary>
    public string? AccessKeyIdHash { get; init; }

    /// <summary>1 or 2, the credential report's slot, in the state after the change (before it for <c>KeyDeleted</c>).</summary>
    public required int KeySlot { get; init; }

    public required bool RootKey { get; init; }

    /// <summary><c>Active</c> or <c>Inactive</c> in the previous snapshot; null for <c>KeyCreated</c>.</summary>
    public string? StatusBefore { get; init; }

    /// <summary><c>Active</c> or <c>Inactive</c> now; null for <c>KeyDeleted</c>.</summary>
    public string? StatusAfter { get; init; }

    public DateTimeOffset? KeyCreatedAt { get; init; }

    public DateTimeOffset? LastUsedAtBefore { get; init; }

    public DateTimeOffset? LastUsedAtAfter { get; init; }

    /// <summary><c>RotationStuck</c> only: the user's newer active key, whose rotation has not finished.</summary>
    public string? NewerAccessKeyIdHash { get; init; }

    /// <summary><c>RotationStuck</c> only: when that newer key was created.</summary>
    public DateTimeOffset? NewerKeyCreatedAt { get; init; }

    /// <summary>One sentence for the timeline, e.g. <c>Key deactivated (was Active).</c>.</summary>
    public required string Detail { get; init; }
}

/// <summary>The values of <see cref="KeyEvent.EventType"/>.</summary>
public static class KeyEventTypes
{
    public const string KeyCreated = nameof(KeyCreated);
    public const string KeyDeleted = nameof(KeyDeleted);
    public const string KeyActivated = nameof(KeyActivated);
    public const string KeyDeactivated = nameof(KeyDeactivated);
    public const string RotationStuck = nameof(RotationStuck);

    public static IReadOnlyList<string> All { get; } = [KeyCreated, KeyDeleted, KeyActivated, KeyDeactivated, RotationStuck];
}
