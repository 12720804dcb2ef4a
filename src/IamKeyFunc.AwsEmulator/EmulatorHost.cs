using System.Globalization;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator;

/// <summary>
/// Standalone mode for local debugging (<c>iamkeys emulator</c>, then <c>func start</c> against it): starts the emulator on a
/// fixed port with the sample organisation (or a generated / JSON scenario), prints the settings a developer must set,
/// and runs until cancelled (Ctrl+C).
/// </summary>
public static class EmulatorHost
{
    public const int DefaultPort = 5599;

    public const string Usage = """
        Usage: emulator [options]
          --port N                 loopback port (default 5599; 0 = any free port)
          --scenario FILE          serve a scenario JSON file instead of the sample organisation
          --accounts N --users M   serve a generated scenario (N accounts x M users; --seed S)
          --ous N                  with --accounts: put the accounts in an organization with N OUs (0 = none)
          --save-scenario FILE     write the served scenario (the ground truth) to FILE
          --tenant-id ID           trust tokens issued by https://sts.windows.net/ID/ (e.g. your own tenant)
          --app-id GUID            trust the audience api://GUID
          --subject OID            trust this token subject (your managed identity's or your own object ID)
          --latency-ms N           delay every call by N ms
          --rate N                 IAM rate limit per account, calls per second (token bucket, burst N)
          --report-delay-seconds N credential report generation time
          --print-token            print a test token the emulator accepts (claims only; not a real Entra token)
        """;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled or Ctrl+C; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        Dictionary<string, string?> arguments;
        EmulatorScenario scenario;
        EmulatorOptions options;
        var time = TimeProvider.System;
        try
        {
            arguments = ParseArguments(args);
            if (arguments.ContainsKey("help"))
            {
                await output.WriteLineAsync(Usage).ConfigureAwait(false);
                return 0;
            }

            scenario = BuildScenario(arguments, time.GetUtcNow());
            options = new EmulatorOptions
            {
                Port = Int(arguments, "port") ?? DefaultPort,
                TimeProvider = time,
                Latency = TimeSpan.FromMilliseconds(Int(arguments, "latency-ms") ?? 0),
                RateLimit = Int(arguments, "rate") is { } rate and > 0 ? EmulatorRateLimit.PerSecond(rate) : null,
                CredentialReportDelay = TimeSpan.FromSeconds(Int(arguments, "report-delay-seconds") ?? 2),
            };
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"{ex.Message}\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        if (arguments.GetValueOrDefault("save-scenario") is { } savePath)
        {
            scenario.Save(savePath);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            await using var emulator = await AwsEmulatorServer.StartAsync(scenario, options, stop.Token).ConfigureAwait(false);
            await output.WriteLineAsync(Describe(emulator, arguments.ContainsKey("print-token"), time)).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await output.WriteLineAsync($"AWS emulator stopped. {emulator.Stats}").ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The endpoint, the scenario and the configuration a developer points the Function or CLI at.</summary>
    public static string Describe(AwsEmulatorServer emulator, bool includeToken, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(time);
        var scenario = emulator.Scenario;
        var central = scenario.CentralAccount;
        var trust = scenario.CentralRole!.WebIdentity!;
        var members = scenario.Accounts.Where(a => a != central && a.State == EmulatorOrganization.ActiveState).ToList();
        var memberRole = members.SelectMany(a => a.Roles).Select(r => r.Name).FirstOrDefault();
        var lines = new List<string>
        {
            $"AWS emulator (STS + IAM) listening on {emulator.Endpoint}",
            $"Scenario '{scenario.Name}': {scenario.Accounts.Count} accounts, {scenario.Accounts.Sum(a => a.Users.Count)} users, {scenario.ExpectedKeys().Count} access keys",
            "",
            "Settings (local.settings.json \"Values\", or environment variables):",
            $"  IamKey__Aws__RoleArn={scenario.CentralRoleArn}",
            $"  IamKey__Aws__Audience={trust.Audience}",
            $"  IamKey__Aws__StsEndpoint={emulator.Endpoint}",
            $"  IamKey__Aws__IamEndpoint={emulator.Endpoint}",
        };
        if (members.Count > 0)
        {
            lines.Add($"  IamKey__Aws__MemberAccountIds={string.Join(',', members.Select(a => a.AccountId))}");
            lines.Add($"  IamKey__Aws__MemberRoleName={memberRole}");
        }

        lines.Add("");
        lines.Add($"Web-identity trust: issuer {scenario.Oidc.Issuer}, audience {trust.Audience}, subject {string.Join(" or ", trust.Subjects)}.");
        lines.Add("The emulator checks token claims, not signatures: an Entra token with that issuer, audience and subject is accepted");
        lines.Add("(start with --tenant-id/--app-id/--subject to match the token your developer credential gets).");
        foreach (var account in scenario.Accounts)
        {
            var denied = account != central && !account.Roles.Any(r => r.TrustedPrincipalArns.Contains(scenario.CentralRoleArn, StringComparer.OrdinalIgnoreCase));
            lines.Add($"  account {account.AccountId} ({account.Alias ?? "no alias"}): {account.Users.Count} users{(denied ? ", member role does NOT trust the central role (AccessDenied)" : "")}");
        }

        if (includeToken)
        {
            lines.Add("");
            lines.Add("Test token (valid 12 h, claims only):");
            var now = time.GetUtcNow();
            lines.Add(TestJwt.ForScenario(scenario, now + TimeSpan.FromHours(12), issuedAt: now));
        }

        lines.Add("");
        lines.Add("Press Ctrl+C to stop.");
        return string.Join(Environment.NewLine, lines);
    }

    private static EmulatorScenario BuildScenario(Dictionary<string, string?> arguments, DateTimeOffset now)
    {
        EmulatorScenario scenario;
        if (arguments.GetValueOrDefault("scenario") is { } path)
        {
            scenario = EmulatorScenario.Load(path);
        }
        else if (Int(arguments, "accounts") is not null || Int(arguments, "users") is not null)
        {
            scenario = ScenarioGenerator.Generate(
                new ScenarioGeneratorSettings
                {
                    Accounts = Int(arguments, "accounts") ?? 1,
                    UsersPerAccount = Int(arguments, "users") ?? 100,
                    Seed = Int(arguments, "seed") ?? 1,
                    OrganizationalUnits = Int(arguments, "ous") ?? 0,
                },
                now);
        }
        else
        {
            scenario = ScenarioGenerator.SampleOrganization(now);
        }

        var trust = scenario.CentralRole?.WebIdentity ?? throw new InvalidOperationException("The scenario has no web-identity role.");
        if (arguments.GetValueOrDefault("tenant-id") is { } tenant)
        {
            scenario.Oidc.Issuer = OidcProviderConfig.EntraV1Issuer(tenant);
        }

        if (arguments.GetValueOrDefault("app-id") is { } appId)
        {
            trust.Audience = $"api://{appId}";
            scenario.Oidc.Audiences = [trust.Audience];
        }

        if (arguments.GetValueOrDefault("subject") is { } subject)
        {
            trust.Subjects = [subject];
        }

        return scenario;
    }

    private static Dictionary<string, string?> ParseArguments(string[] args)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal) { "help", "print-token" };
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "-?")
            {
                arg = "--help";
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }

            var name = arg[2..];
            if (flags.Contains(name))
            {
                result[name] = null;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option '{arg}' needs a value.");
            }

            result[name] = args[++i];
        }

        return result;
    }

    private static int? Int(Dictionary<string, string?> arguments, string name)
    {
        if (arguments.GetValueOrDefault(name) is not { } raw)
        {
            return null;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"Option '--{name}' needs a non-negative whole number, not '{raw}'.");
    }
}
