using System.Globalization;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.Hosting;

/// <summary>
/// Standalone mode for local debugging (<c>iamkeys emulator</c>, then <c>func start</c> against it): starts the emulator on a
/// fixed port with the sample organisation (or a generated / JSON scenario), prints the settings a developer must set,
/// and runs until cancelled (Ctrl+C).
/// </summary>
public static class EmulatorHost
{
    public const int DefaultPort = 5599;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled or Ctrl+C; returns the process exit code.</summary>
    public static async Task<int> RunAsync(EmulatorHostSettings settings, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        output ??= Console.Out;
        var time = TimeProvider.System;
        var scenario = BuildScenario(settings, time.GetUtcNow());
        var options = new EmulatorOptions
        {
            Port = settings.Port,
            TimeProvider = time,
            Latency = TimeSpan.FromMilliseconds(settings.LatencyMs),
            RateLimit = settings.Rate > 0 ? EmulatorRateLimit.PerSecond(settings.Rate) : null,
            CredentialReportDelay = TimeSpan.FromSeconds(settings.ReportDelaySeconds),
        };
        if (settings.SaveScenario is { } savePath)
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
            await output.WriteLineAsync(Describe(emulator, settings.PrintToken, time)).ConfigureAwait(false);
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
        var services = scenario.Organization is null ? "STS + IAM" : "STS, IAM, Organizations";
        var lines = new List<string>
        {
            $"AWS emulator ({services}) listening on {emulator.Endpoint}",
            $"Scenario '{Printable(scenario.Name)}': {Counted(scenario.Accounts.Count, "account")}, {Counted(scenario.Accounts.Sum(a => a.Users.Count), "user")}, {Counted(scenario.ExpectedKeys().Count, "access key")}",
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

        if (scenario.Organization is { } organization)
        {
            lines.Add("");
            lines.Add($"Or find the accounts through AWS Organizations ({Printable(organization.Id)}, served here too) instead of listing them; add:");
            lines.Add("  IamKey__Aws__Discovery__Source=Organizations");
            lines.Add($"  IamKey__Aws__Discovery__Endpoint={emulator.Endpoint}");
        }

        lines.Add("");
        lines.Add($"Web-identity trust: issuer {scenario.Oidc.Issuer}, audience {trust.Audience}, subject {string.Join(" or ", trust.Subjects)}.");
        lines.Add("The emulator checks token claims, not signatures: an Entra token with that issuer, audience and subject is accepted");
        lines.Add("(start with --tenant-id/--app-id/--subject to match the token your developer credential gets).");
        foreach (var account in scenario.Accounts)
        {
            var denied = account != central && !account.Roles.Any(r => r.TrustedPrincipalArns.Contains(scenario.CentralRoleArn, StringComparer.OrdinalIgnoreCase));
            var name = account.Alias ?? account.Name;
            lines.Add($"  account {Printable(account.AccountId)}{(name is null ? "" : $" ({Printable(name)})")}: {Counted(account.Users.Count, "user")}{(account.State == EmulatorOrganization.ActiveState ? "" : $", {Printable(account.State)}")}{(denied ? ", member role does NOT trust the central role (AccessDenied)" : "")}");
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

    private static string Counted(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    /// <summary>A scenario's text with its control characters (C0, DEL, C1, bidirectional controls) escaped, so a scenario file cannot drive the terminal.</summary>
    private static string Printable(string text) => string.Concat(text.Select(c =>
        c is < ' ' or '\u007F' or (>= '\u0080' and <= '\u009F') or '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
            ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}")
            : c.ToString()));

    private static EmulatorScenario BuildScenario(EmulatorHostSettings settings, DateTimeOffset now)
    {
        var scenario = settings switch
        {
            { ScenarioFile: { } path } => EmulatorScenario.Load(path),
            { Accounts: not null } or { Users: not null } => ScenarioGenerator.Generate(
                new ScenarioGeneratorSettings
                {
                    Accounts = settings.Accounts ?? 1,
                    UsersPerAccount = settings.Users ?? 100,
                    Seed = settings.Seed,
                    OrganizationalUnits = settings.OrganizationalUnits,
                },
                now),
            _ => ScenarioGenerator.SampleOrganization(now),
        };

        var trust = scenario.CentralRole?.WebIdentity ?? throw new InvalidOperationException("The scenario has no web-identity role.");
        if (settings.TenantId is { } tenant)
        {
            scenario.Oidc.Issuer = OidcProviderConfig.EntraV1Issuer(tenant);
        }

        if (settings.AppId is { } appId)
        {
            trust.Audience = $"api://{appId}";
            scenario.Oidc.Audiences = [trust.Audience];
        }

        if (settings.Subject is { } subject)
        {
            trust.Subjects = [subject];
        }

        return scenario;
    }
}

/// <summary>What the standalone emulator serves and how; the <c>iamkeys emulator</c> command's options fill it.</summary>
public sealed record EmulatorHostSettings
{
    /// <summary>Loopback port; 0 = any free port.</summary>
    public int Port { get; init; } = EmulatorHost.DefaultPort;

    /// <summary>A scenario JSON file to serve instead of the sample organization.</summary>
    public string? ScenarioFile { get; init; }

    /// <summary>With <see cref="Users"/>: serve a generated scenario of this many accounts.</summary>
    public int? Accounts { get; init; }

    /// <summary>Users per generated account.</summary>
    public int? Users { get; init; }

    /// <summary>With <see cref="Accounts"/>: put the accounts in an organization with this many OUs (0 = none).</summary>
    public int OrganizationalUnits { get; init; }

    /// <summary>Seed of the generated scenario.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where to write the served scenario (the ground truth).</summary>
    public string? SaveScenario { get; init; }

    /// <summary>Trust tokens issued by <c>https://sts.windows.net/{TenantId}/</c>.</summary>
    public string? TenantId { get; init; }

    /// <summary>Trust the audience <c>api://{AppId}</c>.</summary>
    public string? AppId { get; init; }

    /// <summary>Trust this token subject.</summary>
    public string? Subject { get; init; }

    /// <summary>Delay of every call, in milliseconds.</summary>
    public int LatencyMs { get; init; }

    /// <summary>IAM calls per second per account (token bucket, burst the same); 0 = unlimited.</summary>
    public int Rate { get; init; }

    /// <summary>How long the credential report takes to generate.</summary>
    public int ReportDelaySeconds { get; init; } = 2;

    /// <summary>Print a test token the emulator accepts (claims only).</summary>
    public bool PrintToken { get; init; }
}
