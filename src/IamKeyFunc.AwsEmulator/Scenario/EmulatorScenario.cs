using IamKeyFunc.AwsEmulator.Hosting;
using System.Text.Json;

namespace IamKeyFunc.AwsEmulator.Scenario;

/// <summary>
/// The ground truth the emulator serves: the OIDC trust, the accounts with their users, access keys and roles.
/// Build one with <see cref="ScenarioGenerator"/>, load one from JSON with <see cref="Load"/>, or write it by hand.
/// The emulator indexes the scenario when it starts; change it afterwards through <see cref="AwsEmulatorServer.ChangeScenario"/>.
/// All times are UTC and whole seconds (IAM answers with second precision).
/// </summary>
public sealed class EmulatorScenario
{
    public string Name { get; set; } = "scenario";

    /// <summary>The Entra tenant registered as an IAM OIDC identity provider (in every account of the scenario).</summary>
    public OidcProviderConfig Oidc { get; set; } = new();

    public List<EmulatorAccount> Accounts { get; set; } = [];

    /// <summary>The AWS Organization every account of the scenario belongs to; null = the accounts are stand-alone.</summary>
    public EmulatorOrganization? Organization { get; set; }

    /// <summary>The central reader role: the first role that trusts the OIDC provider.</summary>
    public EmulatorRole? CentralRole => Accounts.SelectMany(a => a.Roles).FirstOrDefault(r => r.WebIdentity is not null);

    /// <summary>ARN of <see cref="CentralRole"/>.</summary>
    public string CentralRoleArn =>
        Accounts.SelectMany(a => a.Roles.Select(r => (Account: a, Role: r))).Where(x => x.Role.WebIdentity is not null)
            .Select(x => x.Account.RoleArn(x.Role)).FirstOrDefault()
        ?? throw new InvalidOperationException("The scenario has no role that trusts the OIDC provider.");

    /// <summary>The account holding <see cref="CentralRole"/>.</summary>
    public EmulatorAccount CentralAccount =>
        Accounts.FirstOrDefault(a => a.Roles.Any(r => r.WebIdentity is not null))
        ?? throw new InvalidOperationException("The scenario has no role that trusts the OIDC provider.");

    public EmulatorAccount Account(string accountId) =>
        Accounts.FirstOrDefault(a => a.AccountId == accountId)
        ?? throw new KeyNotFoundException($"The scenario has no account {accountId}.");

    /// <summary>
    /// The exact key inventory of one account as a correct collector must report it: every user key (slot by
    /// creation order) and the root user's keys (<see cref="ExpectedAccessKey.IsRoot"/>), with the last-use data
    /// as IAM reports it (<c>N/A</c> becomes null).
    /// </summary>
    public IReadOnlyList<ExpectedAccessKey> ExpectedKeys(string accountId) => Account(accountId).ExpectedKeys();

    /// <summary>The inventory of every account.</summary>
    public IReadOnlyList<ExpectedAccessKey> ExpectedKeys() => [.. Accounts.SelectMany(a => a.ExpectedKeys())];

    /// <summary>Checks the invariants the emulator relies on (unique IDs, key formats, at most two keys per user).</summary>
    public void Validate()
    {
        var keyIds = new HashSet<string>(StringComparer.Ordinal);
        if (Accounts.Count == 0)
        {
            throw new InvalidOperationException($"Scenario '{Name}' has no accounts.");
        }

        if (Accounts.Select(a => a.AccountId).Distinct(StringComparer.Ordinal).Count() != Accounts.Count)
        {
            throw new InvalidOperationException($"Scenario '{Name}' has duplicate account IDs.");
        }

        foreach (var account in Accounts)
        {
            account.Validate(keyIds);
        }

        Organization?.Validate(this);
    }

    public string ToJson() => JsonSerializer.Serialize(this, ScenarioJsonContext.Default.EmulatorScenario);

    public static EmulatorScenario FromJson(string json) =>
        JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.EmulatorScenario)
        ?? throw new InvalidOperationException("The scenario JSON is empty.");

    public static EmulatorScenario Load(string path) => FromJson(File.ReadAllText(path));

    public void Save(string path) => File.WriteAllText(path, ToJson());
}

/// <summary>An IAM OIDC identity provider for an Entra tenant: URL = the v1 token issuer, client IDs = audiences.</summary>
public sealed class OidcProviderConfig
{
    /// <summary>The v1 issuer, <c>https://sts.windows.net/{tenantId}/</c> (trailing slash included).</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The provider's client ID list, e.g. <c>api://{appId}</c>.</summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>The condition-key prefix IAM derives from the URL: the issuer without <c>https://</c>.</summary>
    public string ConditionKeyPrefix => Issuer.StartsWith("https://", StringComparison.Ordinal) ? Issuer["https://".Length..] : Issuer;

    /// <summary>The provider ARN in an account.</summary>
    public string ProviderArn(string partition, string accountId) => $"arn:{partition}:iam::{accountId}:oidc-provider/{ConditionKeyPrefix}";

    public static string EntraV1Issuer(string tenantId) => $"https://sts.windows.net/{tenantId}/";
}

/// <summary>One AWS account: its users and keys (inventory), root keys (credential report only) and roles (trust).</summary>
public sealed class EmulatorAccount
{
    public string AccountId { get; set; } = "";

    /// <summary><c>aws</c>, <c>aws-cn</c> or <c>aws-us-gov</c>; selects the IAM signing region and the ARN prefix.</summary>
    public string Partition { get; set; } = "aws";

    /// <summary>Overrides the SigV4 region IAM requests must be signed for (default: the partition's home region).</summary>
    public string? IamSigningRegion { get; set; }

    public string? Alias { get; set; }

    /// <summary>The root user's creation time (credential report <c>user_creation_time</c> of <c>&lt;root_account&gt;</c>).</summary>
    public DateTimeOffset CreateDate { get; set; }

    public bool RootMfaActive { get; set; } = true;

    public DateTimeOffset? RootPasswordLastUsed { get; set; }

    /// <summary>Root user access keys (0–2). A role never sees their IDs; they appear in the credential report only.</summary>
    public List<EmulatorAccessKey> RootAccessKeys { get; set; } = [];

    public List<EmulatorUser> Users { get; set; } = [];

    public List<EmulatorRole> Roles { get; set; } = [];

    /// <summary>Organizations: the account's name (default: the alias, else the ID).</summary>
    public string? Name { get; set; }

    /// <summary>Organizations: the account's root email (default: derived from the ID).</summary>
    public string? Email { get; set; }

    /// <summary>Organizations: the OU (or root) the account sits in; null = the root.</summary>
    public string? ParentId { get; set; }

    /// <summary>Organizations account <c>State</c>: ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED or PENDING_ACTIVATION.</summary>
    public string State { get; set; } = "ACTIVE";

    /// <summary>Organizations tags of the account (ListTagsForResource).</summary>
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    public string EffectiveName => Name ?? Alias ?? AccountId;

    public string EffectiveEmail => Email ?? $"aws+{AccountId}@example.com";

    /// <summary>IAM groups (GetAccountAuthorizationDetails).</summary>
    public List<EmulatorGroup> Groups { get; set; } = [];

    /// <summary>Customer managed policies (GetAccountAuthorizationDetails).</summary>
    public List<EmulatorManagedPolicy> ManagedPolicies { get; set; } = [];

    public string EffectiveIamSigningRegion => IamSigningRegion ?? PartitionHomeRegion(Partition);

    public string RootArn => $"arn:{Partition}:iam::{AccountId}:root";

    public string UserArn(EmulatorUser user) => $"arn:{Partition}:iam::{AccountId}:user{user.Path}{user.UserName}";

    public string RoleArn(EmulatorRole role) => $"arn:{Partition}:iam::{AccountId}:role{role.Path}{role.Name}";

    public EmulatorRole? FindRole(string name) => Roles.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    public static string PartitionHomeRegion(string partition) => partition switch
    {
        "aws" => "us-east-1",
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => throw new InvalidOperationException($"Unknown AWS partition '{partition}'."),
    };

    internal IReadOnlyList<ExpectedAccessKey> ExpectedKeys()
    {
        var result = new List<ExpectedAccessKey>();
        foreach (var user in Users)
        {
            var slot = 1;
            foreach (var key in user.KeysInSlotOrder())
            {
                result.Add(new ExpectedAccessKey(
                    AccountId, Partition, Alias, user.UserName, UserArn(user), user.CreateDate, user.PasswordEnabled, user.MfaActive,
                    key.AccessKeyId, slot++, key.Status, key.CreateDate, key.LastUsed?.Date, key.LastUsed?.Region, key.LastUsed?.ServiceName, IsRoot: false));
            }
        }

        var rootSlot = 1;
        foreach (var key in RootAccessKeys.OrderBy(k => k.CreateDate).ThenBy(k => k.AccessKeyId, StringComparer.Ordinal))
        {
            result.Add(new ExpectedAccessKey(
                AccountId, Partition, Alias, ExpectedAccessKey.RootUserName, RootArn, CreateDate, PasswordEnabled: null, RootMfaActive,
                key.AccessKeyId, rootSlot++, key.Status, key.CreateDate, key.LastUsed?.Date, key.LastUsed?.Region, key.LastUsed?.ServiceName, IsRoot: true));
        }

        return result;
    }

    internal void Validate(HashSet<string> keyIds)
    {
        if (AccountId.Length != 12 || !AccountId.All(char.IsAsciiDigit))
        {
            throw new InvalidOperationException($"Account ID '{AccountId}' must be 12 digits.");
        }

        _ = EffectiveIamSigningRegion;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in Users)
        {
            if (!names.Add(user.UserName))
            {
                throw new InvalidOperationException($"Account {AccountId} has two users named '{user.UserName}'.");
            }

            ValidateKeys(user.AccessKeys, $"user '{user.UserName}'", keyIds);
        }

        ValidateKeys(RootAccessKeys, "the root user", keyIds);
    }

    private void ValidateKeys(List<EmulatorAccessKey> keys, string owner, HashSet<string> keyIds)
    {
        if (keys.Count > 2)
        {
            throw new InvalidOperationException($"Account {AccountId}: {owner} has {keys.Count} access keys; IAM allows two.");
        }

        foreach (var key in keys)
        {
            if (key.AccessKeyId.Length != 20 || !key.AccessKeyId.StartsWith("AKIA", StringComparison.Ordinal)
                || !key.AccessKeyId.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
            {
                throw new InvalidOperationException($"Account {AccountId}: {owner} has a malformed access key ID (AKIA + 16 upper-case letters or digits expected).");
            }

            if (!keyIds.Add(key.AccessKeyId))
            {
                throw new InvalidOperationException($"Access key ID {key.AccessKeyId} appears twice in the scenario.");
            }

            if (key.Status is not ("Active" or "Inactive"))
            {
                throw new InvalidOperationException($"Access key {key.AccessKeyId} has status '{key.Status}'; expected Active or Inactive.");
            }
        }
    }
}

public sealed class EmulatorUser
{
    public string UserName { get; set; } = "";

    /// <summary>The stable unique ID, <c>AIDA…</c>.</summary>
    public string UserId { get; set; } = "";

    public string Path { get; set; } = "/";

    public DateTimeOffset CreateDate { get; set; }

    /// <summary>Whether the user has a console password (login profile).</summary>
    public bool PasswordEnabled { get; set; }

    /// <summary>Last console sign-in; null when never (or no password).</summary>
    public DateTimeOffset? PasswordLastUsed { get; set; }

    public DateTimeOffset? PasswordLastChanged { get; set; }

    public bool MfaActive { get; set; }

    /// <summary>0–2 keys.</summary>
    public List<EmulatorAccessKey> AccessKeys { get; set; } = [];

    /// <summary>The groups the user belongs to (names of <see cref="EmulatorAccount.Groups"/>).</summary>
    public List<string> GroupNames { get; set; } = [];

    /// <summary>Managed policies attached to the user directly.</summary>
    public List<string> AttachedPolicyArns { get; set; } = [];

    public List<EmulatorInlinePolicy> InlinePolicies { get; set; } = [];

    /// <summary>The user's tags (ListUserTags, and UserDetail of GetAccountAuthorizationDetails).</summary>
    public List<EmulatorTag> Tags { get; set; } = [];

    /// <summary>The keys in credential-report slot order: by creation time, then key ID.</summary>
    public IEnumerable<EmulatorAccessKey> KeysInSlotOrder() =>
        AccessKeys.OrderBy(k => k.CreateDate).ThenBy(k => k.AccessKeyId, StringComparer.Ordinal);
}

public sealed class EmulatorAccessKey
{
    /// <summary><c>AKIA</c> + 16 upper-case letters or digits.</summary>
    public string AccessKeyId { get; set; } = "";

    /// <summary><c>Active</c> or <c>Inactive</c>.</summary>
    public string Status { get; set; } = "Active";

    public DateTimeOffset CreateDate { get; set; }

    /// <summary>Null when the key was never used (IAM answers <c>N/A</c>).</summary>
    public KeyLastUsed? LastUsed { get; set; }

    public override string ToString() => $"{AccessKeyId} ({Status})";
}

/// <summary>Last use of a key. <see cref="Region"/> null means IAM reports <c>N/A</c> (a non-regional service such as S3).</summary>
public sealed class KeyLastUsed
{
    public DateTimeOffset Date { get; set; }

    public string? Region { get; set; }

    public string ServiceName { get; set; } = "";
}

/// <summary>An IAM role and who may assume it.</summary>
public sealed class EmulatorRole
{
    public string Name { get; set; } = "";

    public string Path { get; set; } = "/";

    /// <summary>The stable role ID, <c>AROA…</c>.</summary>
    public string RoleId { get; set; } = "";

    /// <summary>900–43200 seconds; web-identity sessions may ask for up to this.</summary>
    public int MaxSessionDurationSeconds { get; set; } = 3600;

    /// <summary>Set when the role trusts the scenario's OIDC provider (sts:AssumeRoleWithWebIdentity).</summary>
    public WebIdentityTrust? WebIdentity { get; set; }

    /// <summary>Principals trusted for sts:AssumeRole: role ARNs, or an account root ARN (any principal of that account).</summary>
    public List<string> TrustedPrincipalArns { get; set; } = [];
}

/// <summary>The trust policy condition of a web-identity role: <c>StringEquals {prefix}:aud</c> and <c>{prefix}:sub</c>.</summary>
public sealed class WebIdentityTrust
{
    public string Audience { get; set; } = "";

    /// <summary>Allowed <c>sub</c> values (the managed identity's object ID); empty = no <c>sub</c> condition.</summary>
    public List<string> Subjects { get; set; } = [];
}

/// <summary>One key as a correct inventory reports it; the ground truth for collector tests.</summary>
public sealed record ExpectedAccessKey(
    string AccountId,
    string Partition,
    string? AccountAlias,
    string UserName,
    string UserArn,
    DateTimeOffset UserCreatedAt,
    bool? PasswordEnabled,
    bool MfaActive,
    string AccessKeyId,
    int KeySlot,
    string Status,
    DateTimeOffset CreateDate,
    DateTimeOffset? LastUsedDate,
    string? LastUsedRegion,
    string? LastUsedService,
    bool IsRoot)
{
    public const string RootUserName = "<root_account>";
}
