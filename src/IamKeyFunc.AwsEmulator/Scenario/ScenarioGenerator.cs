namespace IamKeyFunc.AwsEmulator.Scenario;

/// <summary>
/// Builds scenarios: <see cref="Generate"/> for N accounts × M users with a seeded key distribution (tests and the
/// benchmark), <see cref="SampleOrganization"/> for a small named organisation (the CLI demo and local runs).
/// Generated key IDs start with <c>AKIAFAKE</c> so they are obviously not real.
/// </summary>
public static class ScenarioGenerator
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static readonly string[] Regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
    private static readonly string[] RegionalServices = ["ec2", "sts", "lambda", "dynamodb", "sqs", "cloudformation"];
    private static readonly string[] UserPrefixes = ["app", "ci", "dev", "ops", "svc", "user"];

    /// <summary>A seeded scenario. <paramref name="now"/> anchors the ages (everything happened before it).</summary>
    public static EmulatorScenario Generate(ScenarioGeneratorSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Accounts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.UsersPerAccount);
        var builder = new Builder(settings.Seed, Truncate(now));
        var scenario = NewScenario($"generated-{settings.Accounts}x{settings.UsersPerAccount}-seed{settings.Seed}", settings.TenantId, settings.Audience);

        for (var a = 0; a < settings.Accounts; a++)
        {
            var accountId = (100000000000L + (a * 1000003L) + builder.Random.NextInt64(1000000L)).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
            var account = new EmulatorAccount
            {
                AccountId = accountId,
                Partition = settings.Partition,
                Alias = a == 0 ? "central" : $"member-{a:D3}",
                CreateDate = builder.Past(settings.MaxAge * 2, settings.MaxAge),
            };
            var keyCounts = builder.Quota(settings.UsersPerAccount, settings.NoKeyShare, settings.OneKeyShare);
            for (var u = 0; u < settings.UsersPerAccount; u++)
            {
                account.Users.Add(builder.User($"{UserPrefixes[u % UserPrefixes.Length]}-{u:D5}", keyCounts[u], settings));
            }

            var keys = account.Users.SelectMany(u => u.AccessKeys).ToList();
            foreach (var key in builder.Pick(keys, settings.NeverUsedKeyShare))
            {
                key.LastUsed = null;
            }

            foreach (var key in builder.Pick(keys, settings.InactiveKeyShare))
            {
                key.Status = "Inactive";
            }

            if (builder.Random.NextDouble() < settings.RootKeyShare)
            {
                account.RootAccessKeys.Add(builder.Key(account.CreateDate));
            }

            scenario.Accounts.Add(account);
        }

        AddRoles(scenario, settings, builder);
        if (settings.Organization || settings.OrganizationalUnits > 0)
        {
            AddOrganization(scenario, settings, builder);
        }

        return scenario;
    }

    /// <summary>
    /// A small organisation with named users: a central security account (also the organization's management account),
    /// a production account (with a root key), a sandbox, a suspended retired account, and a legacy account whose member
    /// role still trusts an old central role (so it is denied). The organization nests OUs and tags every account.
    /// </summary>
    public static EmulatorScenario SampleOrganization(DateTimeOffset now)
    {
        now = Truncate(now);
        var settings = new ScenarioGeneratorSettings { CentralRoleMaxSessionSeconds = 43200 };
        var builder = new Builder(20260915, now);
        var scenario = NewScenario("sample-organization", settings.TenantId, settings.Audience);
        DateTimeOffset Ago(double days) => now - TimeSpan.FromDays(days);

        var security = Account("111122223333", "example-security", Ago(1500));
        security.Users.Add(builder.NamedUser("security-audit", Ago(400), password: false, mfa: false,
            builder.NamedKey(Ago(80), "Active", Ago(0.2), "us-east-1", "iam")));
        security.Users.Add(builder.NamedUser("carol", Ago(900), password: true, mfa: true));

        var prod = Account("444455556666", "example-prod", Ago(1400));
        prod.Users.Add(builder.NamedUser("ci-deploy", Ago(700), password: false, mfa: false,
            builder.NamedKey(Ago(650), "Inactive", Ago(200), "eu-west-1", "cloudformation"),
            builder.NamedKey(Ago(45), "Active", Ago(0.1), "eu-west-1", "cloudformation")));
        prod.Users.Add(builder.NamedUser("alice", Ago(1000), password: true, mfa: true,
            builder.NamedKey(Ago(120), "Active", Ago(2), "eu-west-1", "ec2")));
        prod.Users.Add(builder.NamedUser("bob", Ago(300), password: true, mfa: false));
        prod.Users.Add(builder.NamedUser("legacy-backup", Ago(1300), password: false, mfa: false,
            builder.NamedKey(Ago(1250), "Active", Ago(400), null, "s3")));
        prod.Users.Add(builder.NamedUser("terraform", Ago(40), password: false, mfa: false,
            builder.NamedKey(Ago(30), "Active", null, null, null)));
        prod.Users.Add(builder.NamedUser("monitoring-agent", Ago(500), password: false, mfa: false,
            builder.NamedKey(Ago(100), "Active", Ago(1), "us-east-1", "cloudwatch")));
        prod.RootAccessKeys.Add(builder.NamedKey(Ago(1350), "Active", Ago(700), "us-east-1", "iam"));

        var sandbox = Account("555566667777", "example-sandbox", Ago(600));
        sandbox.Users.Add(builder.NamedUser("dev-test", Ago(200), password: true, mfa: false,
            builder.NamedKey(Ago(190), "Active", Ago(95), "us-west-2", "lambda"),
            builder.NamedKey(Ago(10), "Active", Ago(3), "us-west-2", "dynamodb")));
        sandbox.Users.Add(builder.NamedUser("dave", Ago(150), password: true, mfa: true));

        var legacy = Account("777788889999", "example-legacy", Ago(2000));
        legacy.Users.Add(builder.NamedUser("old-ftp-sync", Ago(1900), password: false, mfa: false,
            builder.NamedKey(Ago(1800), "Active", Ago(1000), "us-east-1", "s3")));

        var retired = Account("888899990000", "example-retired", Ago(1700));
        retired.State = "SUSPENDED";

        scenario.Accounts.AddRange([security, prod, sandbox, retired, legacy]);
        AddRoles(scenario, settings with { DenyingMemberAccounts = 1 }, builder);
        scenario.Organization = SampleOrganizationTree(security, prod, sandbox, retired, legacy);
        return scenario;

        EmulatorAccount Account(string id, string alias, DateTimeOffset created) =>
            new() { AccountId = id, Partition = settings.Partition, Alias = alias, CreateDate = created, RootPasswordLastUsed = created + TimeSpan.FromDays(1) };
    }

    /// <summary>
    /// The generated organization: account 0 manages it from the root; OU <c>i</c> (<c>OU000</c>, …) sits under the root for
    /// i &lt; 3, else under OU <c>(i - 3) / 3</c>; member account <c>a</c> sits in OU <c>(a - 1) mod n</c>. Accounts get the tags
    /// <c>Environment</c> (prod, staging, dev in turn) and <c>CostCenter</c> (cc-0 … cc-3).
    /// </summary>
    private static void AddOrganization(EmulatorScenario scenario, ScenarioGeneratorSettings settings, Builder builder)
    {
        string[] environments = ["prod", "staging", "dev"];
        var rootSuffix = builder.LowerId(4);
        var org = new EmulatorOrganization
        {
            Id = "o-" + builder.LowerId(10),
            RootId = "r-" + rootSuffix,
            ManagementAccountId = scenario.Accounts[0].AccountId,
        };
        for (var i = 0; i < settings.OrganizationalUnits; i++)
        {
            org.OrganizationalUnits.Add(new EmulatorOrganizationalUnit
            {
                Id = $"ou-{rootSuffix}-{builder.LowerId(8)}",
                Name = $"OU{i:D3}",
                ParentId = i < 3 ? org.RootId : org.OrganizationalUnits[(i - 3) / 3].Id,
            });
        }

        var members = scenario.Accounts.Count - 1;
        for (var a = 0; a < scenario.Accounts.Count; a++)
        {
            var account = scenario.Accounts[a];
            account.Name = a == 0 ? "management" : $"Account {a:D4}";
            account.Email = $"aws+{account.AccountId}@example.com";
            account.ParentId = a == 0 || org.OrganizationalUnits.Count == 0 ? null : org.OrganizationalUnits[(a - 1) % org.OrganizationalUnits.Count].Id;
            account.Tags["Environment"] = environments[a % environments.Length];
            account.Tags["CostCenter"] = $"cc-{a % 4}";
            var suspendedFrom = members - settings.DenyingMemberAccounts - settings.SuspendedAccounts;
            if (a > suspendedFrom && a <= members - settings.DenyingMemberAccounts)
            {
                account.State = "SUSPENDED";
            }
        }

        scenario.Organization = org;
    }

    /// <summary>
    /// <c>Root</c> (the security account manages the organization) → <c>Workloads/Prod</c> (prod), <c>Workloads</c> (the
    /// suspended retired account), <c>Sandbox</c>, <c>Legacy</c>; tags <c>Environment</c> and <c>Owner</c>.
    /// </summary>
    private static EmulatorOrganization SampleOrganizationTree(
        EmulatorAccount security, EmulatorAccount prod, EmulatorAccount sandbox, EmulatorAccount retired, EmulatorAccount legacy)
    {
        var org = new EmulatorOrganization { Id = "o-example0001", RootId = "r-ex01", ManagementAccountId = security.AccountId };
        EmulatorOrganizationalUnit Unit(string id, string name, string parent)
        {
            var unit = new EmulatorOrganizationalUnit { Id = id, Name = name, ParentId = parent };
            org.OrganizationalUnits.Add(unit);
            return unit;
        }

        var workloads = Unit("ou-ex01-workload", "Workloads", org.RootId);
        var prodUnit = Unit("ou-ex01-prod0001", "Prod", workloads.Id);
        var sandboxUnit = Unit("ou-ex01-sandbox1", "Sandbox", org.RootId);
        var legacyUnit = Unit("ou-ex01-legacy01", "Legacy", org.RootId);
        void Place(EmulatorAccount account, string name, string? parent, string environment, string owner)
        {
            account.Name = name;
            account.ParentId = parent;
            account.Tags["Environment"] = environment;
            account.Tags["Owner"] = owner;
        }

        Place(security, "Security", null, "prod", "security-team");
        Place(prod, "Production", prodUnit.Id, "prod", "platform-team");
        Place(sandbox, "Sandbox", sandboxUnit.Id, "dev", "developers");
        Place(retired, "Retired", workloads.Id, "prod", "platform-team");
        Place(legacy, "Legacy", legacyUnit.Id, "prod", "ops-team");
        return org;
    }

    private static EmulatorScenario NewScenario(string name, string tenantId, string audience) => new()
    {
        Name = name,
        Oidc = new OidcProviderConfig { Issuer = OidcProviderConfig.EntraV1Issuer(tenantId), Audiences = [audience] },
    };

    /// <summary>The first account gets the web-identity reader role; every other account a member role trusting it.</summary>
    private static void AddRoles(EmulatorScenario scenario, ScenarioGeneratorSettings settings, Builder builder)
    {
        var central = scenario.Accounts[0];
        var centralRole = new EmulatorRole
        {
            Name = settings.CentralRoleName,
            RoleId = builder.Id("AROA", 17),
            MaxSessionDurationSeconds = settings.CentralRoleMaxSessionSeconds,
            WebIdentity = new WebIdentityTrust { Audience = settings.Audience, Subjects = [settings.Subject] },
        };
        central.Roles.Add(centralRole);
        var centralRoleArn = central.RoleArn(centralRole);

        for (var i = 1; i < scenario.Accounts.Count; i++)
        {
            var denies = i >= scenario.Accounts.Count - settings.DenyingMemberAccounts;
            var trusted = denies ? $"arn:{settings.Partition}:iam::000000000000:role/SomeOtherCentralRole" : centralRoleArn;
            scenario.Accounts[i].Roles.Add(new EmulatorRole
            {
                Name = settings.MemberRoleName,
                RoleId = builder.Id("AROA", 17),
                TrustedPrincipalArns = [trusted],
            });
        }
    }

    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private sealed class Builder(int seed, DateTimeOffset now)
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

        public Random Random { get; } = new(seed);

        /// <summary>Lower-case letters and digits, as Organizations IDs use them.</summary>
        public string LowerId(int length)
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                chars[i] = alphabet[Random.Next(alphabet.Length)];
            }

            return new string(chars);
        }

        public string Id(string prefix, int length)
        {
            while (true)
            {
                var chars = new char[length];
                for (var i = 0; i < length; i++)
                {
                    chars[i] = IdAlphabet[Random.Next(IdAlphabet.Length)];
                }

                var id = prefix + new string(chars);
                if (_ids.Add(id))
                {
                    return id;
                }
            }
        }

        /// <summary>A time between <paramref name="max"/> and <paramref name="min"/> before now.</summary>
        public DateTimeOffset Past(TimeSpan max, TimeSpan min = default) =>
            Truncate(now - min - TimeSpan.FromSeconds(Random.NextDouble() * (max - min).TotalSeconds));

        /// <summary>A time between <paramref name="after"/> and now.</summary>
        public DateTimeOffset Between(DateTimeOffset after) =>
            Truncate(after + TimeSpan.FromSeconds(Random.NextDouble() * (now - after).TotalSeconds));

        /// <summary>Exactly the requested shares of 0, 1 and 2 (the rest), shuffled.</summary>
        public int[] Quota(int count, double zeroShare, double oneShare)
        {
            var zeros = (int)Math.Round(count * zeroShare);
            var ones = Math.Min(count - zeros, (int)Math.Round(count * oneShare));
            var values = Enumerable.Range(0, count).Select(i => i < zeros ? 0 : i < zeros + ones ? 1 : 2).ToArray();
            Random.Shuffle(values);
            return values;
        }

        /// <summary>Exactly <paramref name="share"/> of the items, chosen at random.</summary>
        public IEnumerable<T> Pick<T>(IReadOnlyList<T> items, double share)
        {
            var indexes = Enumerable.Range(0, items.Count).ToArray();
            Random.Shuffle(indexes);
            return indexes.Take((int)Math.Round(items.Count * share)).Select(i => items[i]);
        }

        public EmulatorUser User(string name, int keys, ScenarioGeneratorSettings settings)
        {
            var created = Past(settings.MaxAge);
            var password = Random.NextDouble() < 0.4;
            var user = new EmulatorUser
            {
                UserName = name,
                UserId = Id("AIDA", 17),
                CreateDate = created,
                PasswordEnabled = password,
                MfaActive = password ? Random.NextDouble() < 0.7 : Random.NextDouble() < 0.05,
                PasswordLastChanged = password ? Between(created) : null,
                PasswordLastUsed = password && Random.NextDouble() < 0.8 ? Between(created) : null,
            };
            for (var k = 0; k < keys; k++)
            {
                var key = Key(created);
                while (user.AccessKeys.Any(existing => existing.CreateDate == key.CreateDate))
                {
                    key.CreateDate += TimeSpan.FromSeconds(1);
                }

                user.AccessKeys.Add(key);
            }

            return user;
        }

        /// <summary>An active, used key created after its owner; the account-level quotas then mark some never used or inactive.</summary>
        public EmulatorAccessKey Key(DateTimeOffset ownerCreated)
        {
            var created = Between(ownerCreated);
            var nonRegional = Random.NextDouble() < 0.15;
            return new EmulatorAccessKey
            {
                AccessKeyId = Id("AKIAFAKE", 12),
                Status = "Active",
                CreateDate = created,
                LastUsed = new KeyLastUsed
                {
                    Date = Between(created),
                    Region = nonRegional ? null : Regions[Random.Next(Regions.Length)],
                    ServiceName = nonRegional ? "s3" : RegionalServices[Random.Next(RegionalServices.Length)],
                },
            };
        }

        public EmulatorUser NamedUser(string name, DateTimeOffset created, bool password, bool mfa, params EmulatorAccessKey[] keys) => new()
        {
            UserName = name,
            UserId = Id("AIDA", 17),
            CreateDate = created,
            PasswordEnabled = password,
            PasswordLastChanged = password ? created + TimeSpan.FromDays(1) : null,
            PasswordLastUsed = password ? Between(created) : null,
            MfaActive = mfa,
            AccessKeys = [.. keys],
        };

        public EmulatorAccessKey NamedKey(DateTimeOffset created, string status, DateTimeOffset? lastUsed, string? region, string? service) => new()
        {
            AccessKeyId = Id("AKIAFAKE", 12),
            Status = status,
            CreateDate = Truncate(created),
            LastUsed = lastUsed is { } used ? new KeyLastUsed { Date = Truncate(used), Region = region, ServiceName = service ?? "" } : null,
        };
    }
}
