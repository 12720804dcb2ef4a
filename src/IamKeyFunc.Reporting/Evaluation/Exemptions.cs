using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// One compiled exemption. It matches a key when every part that is set matches: the account, the user's ARN and the
/// SHA-256 of the key ID (so the configuration never holds a key ID). An exempt key keeps its findings.
/// </summary>
/// <param name="Id">Position among all exemptions (app settings first, then the file): how a run tracks which ones matched.</param>
/// <param name="Label">How the summaries name it: its <c>Name</c>, else its <c>Reference</c>.</param>
/// <param name="AccountId">The account it names (given, or from the user ARN); null when it names only a key.</param>
public sealed record Exemption(
    int Id, string Label, string? AccountId, string? UserArn, string? KeyIdSha256, string Reason, string Reference, DateTimeOffset Expires)
{
    public bool IsActive(DateTimeOffset asOf) => asOf < Expires;

    public bool Matches(string accountId, string userArn, string? keyIdSha256) =>
        (AccountId is null || AccountId == accountId)
        && (UserArn is null || string.Equals(UserArn, userArn, StringComparison.Ordinal))
        && (KeyIdSha256 is null || string.Equals(KeyIdSha256, keyIdSha256, StringComparison.Ordinal));
}

/// <summary>The exemption that applies to a key, and whether it was still in force at the run's start.</summary>
public sealed record ExemptionMatch(Exemption Exemption, bool Active);

/// <summary>All exemptions of a run.</summary>
public sealed class ExemptionSet(IReadOnlyList<Exemption> exemptions)
{
    public static ExemptionSet None { get; } = new([]);

    public IReadOnlyList<Exemption> All { get; } = exemptions;

    /// <summary>
    /// The exemption for a key: of those that match, the one in force that runs longest; when none is in force, the one
    /// that expired last (so the key shows <c>ExemptionExpired</c>). Null when none matches.
    /// </summary>
    public ExemptionMatch? Find(string accountId, string userArn, string? keyIdSha256, DateTimeOffset asOf)
    {
        var best = All.Where(e => e.Matches(accountId, userArn, keyIdSha256))
            .OrderByDescending(e => e.IsActive(asOf)).ThenByDescending(e => e.Expires).FirstOrDefault();
        return best is null ? null : new ExemptionMatch(best, best.IsActive(asOf));
    }

    /// <summary>
    /// The exemptions that matched no key, among those a run could have matched: the ones naming a collected account,
    /// and, when every configured account was collected, the ones naming only a key.
    /// </summary>
    public IReadOnlyList<Exemption> Unmatched(IReadOnlySet<int> matched, IReadOnlySet<string> collectedAccounts, bool allAccountsCollected) =>
        [.. All.Where(e => !matched.Contains(e.Id) && (e.AccountId is null ? allAccountsCollected : collectedAccounts.Contains(e.AccountId)))];

    internal static Exemption? Compile(ExemptionDefinition definition, string where, int id, DateTimeOffset now, List<string> problems)
    {
        var before = problems.Count;
        var label = Trimmed(definition.Name) ?? Trimmed(definition.Reference) ?? $"#{id}";
        where = $"{where} ({label})";
        var accountId = MatchField(definition.AccountId, where, nameof(ExemptionDefinition.AccountId), problems);
        var userArn = MatchField(definition.UserArn, where, nameof(ExemptionDefinition.UserArn), problems);
        var keyHash = MatchField(definition.KeyIdSha256, where, nameof(ExemptionDefinition.KeyIdSha256), problems)?.ToLowerInvariant();
        if (definition.AccountId is null && definition.UserArn is null && definition.KeyIdSha256 is null)
        {
            problems.Add($"{where}: set at least one of {nameof(ExemptionDefinition.AccountId)}, {nameof(ExemptionDefinition.UserArn)} or {nameof(ExemptionDefinition.KeyIdSha256)}.");
        }

        if (accountId is not null && (accountId.Length != 12 || !accountId.All(char.IsAsciiDigit)))
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.AccountId)} '{accountId}' is not a 12-digit account ID.");
            accountId = null;
        }

        string? arnAccount = null;
        if (userArn is not null)
        {
            var parts = userArn.Split(':', 6);
            if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4].Length != 12 || !(parts[5].StartsWith("user/", StringComparison.Ordinal) || parts[5] == "root"))
            {
                problems.Add($"{where}: {nameof(ExemptionDefinition.UserArn)} '{userArn}' is not an IAM user ARN (arn:aws:iam::111122223333:user/name).");
            }
            else
            {
                arnAccount = parts[4];
            }
        }

        if (accountId is not null && arnAccount is not null && accountId != arnAccount)
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.AccountId)} {accountId} is not the account of {nameof(ExemptionDefinition.UserArn)} ({arnAccount}).");
        }

        if (keyHash is not null && (keyHash.Length != 64 || !keyHash.All(char.IsAsciiHexDigit)))
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.KeyIdSha256)} must be the 64 hex digits of the key ID's SHA-256, not the key ID.");
        }

        if (Trimmed(definition.Reason) is null)
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.Reason)} is required.");
        }

        if (Trimmed(definition.Reference) is null)
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.Reference)} (the ticket) is required.");
        }

        if (definition.Expires is not { } expires)
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.Expires)} is required.");
        }
        else if (expires > now + KeyPolicyCompiler.MaxExemptionLength)
        {
            problems.Add($"{where}: {nameof(ExemptionDefinition.Expires)} {expires:yyyy-MM-dd} is more than 365 days ahead; exemptions must be renewed at least yearly.");
        }

        return problems.Count == before
            ? new Exemption(id, label, accountId ?? arnAccount, userArn, keyHash, definition.Reason!.Trim(), definition.Reference!.Trim(), definition.Expires!.Value.ToUniversalTime())
            : null;
    }

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Null when not set; a blank value is a problem, since dropping that condition would exempt more keys.</summary>
    private static string? MatchField(string? value, string where, string field, List<string> problems)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{where}: {field} is blank; give it a value or leave it out (a blank match field must not widen the exemption).");
        }

        return Trimmed(value);
    }
}
