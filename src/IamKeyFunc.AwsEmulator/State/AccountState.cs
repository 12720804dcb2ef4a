using System.Collections.Concurrent;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.State;

/// <summary>One account indexed for constant-time lookups, with pre-rendered XML list members, its rate limiter and credential report.</summary>
internal sealed class AccountState
{
    private readonly ConcurrentDictionary<string, UserEntry[]> _usersByPathPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UserEntry> _usersByName;
    private readonly Dictionary<string, (UserEntry User, EmulatorAccessKey Key)> _keysById;

    public AccountState(EmulatorAccount account)
    {
        Account = account;
        Users = [.. account.Users.Select(u => new UserEntry(u, account.UserArn(u)))];
        _usersByName = Users.ToDictionary(u => u.User.UserName, StringComparer.OrdinalIgnoreCase);
        _keysById = Users.SelectMany(u => u.Keys.Select(k => (u, k))).ToDictionary(x => x.k.AccessKeyId, StringComparer.Ordinal);
        _usersByPathPrefix["/"] = Users;
    }

    public EmulatorAccount Account { get; }

    public string AccountId => Account.AccountId;

    public UserEntry[] Users { get; }

    public TokenBucket RateLimiter { get; } = new();

    public CredentialReportState CredentialReport { get; } = new();

    public UserEntry? FindUser(string userName) => _usersByName.GetValueOrDefault(userName);

    public (UserEntry User, EmulatorAccessKey Key)? FindKey(string accessKeyId) =>
        _keysById.TryGetValue(accessKeyId, out var hit) ? hit : null;

    /// <summary>Users whose path starts with <paramref name="pathPrefix"/>, computed once per prefix.</summary>
    public UserEntry[] UsersWithPathPrefix(string pathPrefix) =>
        _usersByPathPrefix.GetOrAdd(pathPrefix, prefix => [.. Users.Where(u => u.User.Path.StartsWith(prefix, StringComparison.Ordinal))]);
}

internal sealed class UserEntry
{
    public UserEntry(EmulatorUser user, string arn)
    {
        User = user;
        Arn = arn;
        Keys = [.. user.KeysInSlotOrder()];
        MemberXml = new XmlFragment()
            .Open("member").Element("Path", user.Path).Element("UserName", user.UserName).Element("UserId", user.UserId)
            .Element("Arn", arn).Element("CreateDate", user.CreateDate).Element("PasswordLastUsed", user.PasswordLastUsed).Close("member")
            .ToString();
        KeyMemberXml = [.. Keys.Select(k => new XmlFragment()
            .Open("member").Element("UserName", user.UserName).Element("AccessKeyId", k.AccessKeyId).Element("Status", k.Status)
            .Element("CreateDate", k.CreateDate).Close("member").ToString())];
    }

    public EmulatorUser User { get; }

    public string Arn { get; }

    /// <summary>Keys in slot order (creation time).</summary>
    public EmulatorAccessKey[] Keys { get; }

    /// <summary>The <c>&lt;member&gt;</c> of ListUsers.</summary>
    public string MemberXml { get; }

    /// <summary>The <c>&lt;member&gt;</c>s of ListAccessKeys, in <see cref="Keys"/> order.</summary>
    public string[] KeyMemberXml { get; }
}
