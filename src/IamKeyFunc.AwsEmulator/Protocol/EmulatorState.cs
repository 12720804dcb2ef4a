using System.Collections.Concurrent;
using IamKeyFunc.AwsEmulator.Iam;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>Everything a running emulator holds: the indexed scenario, issued sessions, options, statistics.</summary>
internal sealed class EmulatorState
{
    private readonly ConcurrentDictionary<string, AccountState> _accounts;

    public EmulatorState(EmulatorScenario scenario, EmulatorOptions options)
    {
        Scenario = scenario;
        Options = options;
        Pager = new Pager(options);
        _accounts = new ConcurrentDictionary<string, AccountState>(scenario.Accounts.Select(a => KeyValuePair.Create(a.AccountId, new AccountState(a))), StringComparer.Ordinal);
    }

    public EmulatorScenario Scenario { get; }

    public EmulatorOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    public EmulatorStats Stats { get; } = new();

    public SessionStore Sessions { get; } = new();

    public Pager Pager { get; }

    /// <summary>The organization's one token bucket (Organizations throttles per organization, not per account).</summary>
    public TokenBucket OrganizationsRateLimiter { get; } = new();

    /// <summary>Guards <see cref="EmulatorScenario.Accounts"/> while accounts join at run time.</summary>
    public Lock ScenarioGate { get; } = new();

    /// <summary>A snapshot of the scenario's accounts (taken under <see cref="ScenarioGate"/>).</summary>
    public IReadOnlyList<EmulatorAccount> Accounts()
    {
        lock (ScenarioGate)
        {
            return [.. Scenario.Accounts];
        }
    }

    /// <summary>Adds an account while the emulator runs (it joins the organization, if any, at its <see cref="EmulatorAccount.ParentId"/>).</summary>
    public void AddAccount(EmulatorAccount account)
    {
        lock (ScenarioGate)
        {
            var keyIds = Scenario.Accounts.SelectMany(a => a.Users.SelectMany(u => u.AccessKeys).Concat(a.RootAccessKeys)).Select(k => k.AccessKeyId)
                .ToHashSet(StringComparer.Ordinal);
            account.Validate(keyIds);
            if (!_accounts.TryAdd(account.AccountId, new AccountState(account)))
            {
                throw new InvalidOperationException($"Account {account.AccountId} is already in the scenario.");
            }

            Scenario.Accounts.Add(account);
            try
            {
                Scenario.Organization?.Validate(Scenario);
            }
            catch (InvalidOperationException)
            {
                Scenario.Accounts.Remove(account);
                _accounts.TryRemove(account.AccountId, out _);
                throw;
            }
        }
    }

    public AccountState? FindAccount(string accountId) => _accounts.GetValueOrDefault(accountId);

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
