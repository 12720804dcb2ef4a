using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.State;

/// <summary>Everything a running emulator holds: the indexed scenario, issued sessions, options, statistics.</summary>
internal sealed class EmulatorState
{
    private Dictionary<string, AccountState> _accounts;

    public EmulatorState(EmulatorScenario scenario, EmulatorOptions options)
    {
        Scenario = scenario;
        Options = options;
        Pager = new Pager(options);
        _accounts = scenario.Accounts.ToDictionary(a => a.AccountId, a => new AccountState(a), StringComparer.Ordinal);
    }

    public EmulatorScenario Scenario { get; }

    public EmulatorOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    public EmulatorStats Stats { get; } = new();

    public SessionStore Sessions { get; } = new();

    public Pager Pager { get; }

    /// <summary>The organization's one token bucket (Organizations throttles per organization, not per account).</summary>
    public TokenBucket OrganizationsRateLimiter { get; } = new();

    public AccountState? FindAccount(string accountId) => Volatile.Read(ref _accounts).GetValueOrDefault(accountId);

    /// <summary>Indexes the scenario again after it was changed: accounts get fresh indexes, rate limiters and credential reports; sessions are kept.</summary>
    public void Reindex()
    {
        Scenario.Validate();
        Volatile.Write(ref _accounts, Scenario.Accounts.ToDictionary(a => a.AccountId, a => new AccountState(a), StringComparer.Ordinal));
    }

    /// <summary>The account and role named by a role ARN (<c>arn:{partition}:iam::{account}:role/{path}{name}</c>), if both exist.</summary>
    public (AccountState Account, EmulatorRole Role)? FindRole(string roleArn)
    {
        var parts = roleArn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].StartsWith("role/", StringComparison.Ordinal))
        {
            return null;
        }

        if (FindAccount(parts[4]) is not { } account || account.Account.Partition != parts[1])
        {
            return null;
        }

        var name = parts[5][(parts[5].LastIndexOf('/') + 1)..];
        return account.Account.FindRole(name) is { } role ? (account, role) : null;
    }

    /// <summary>The account ID inside an ARN, or null.</summary>
    public static string? AccountOf(string? arn)
    {
        var parts = arn?.Split(':', 6);
        return parts is { Length: 6 } && parts[4].Length == 12 ? parts[4] : null;
    }
}
