using System.CommandLine;
using System.Globalization;
using IamKeyFunc.AwsEmulator.Hosting;

namespace IamKeyFunc.Cli.Commands;

/// <summary>
/// <c>iamkeys emulator</c>: the loopback AWS emulator on a fixed port (5599) for <c>func start</c> or <c>iamkeys collect</c>
/// debugging, with the settings to use. The command owns the options; the emulator library only takes <see cref="EmulatorHostSettings"/>.
/// </summary>
internal static class EmulatorCommand
{
    public static Command Create()
    {
        var port = NonNegative(new Option<int>("--port") { Description = "Loopback port (0 = any free port).", DefaultValueFactory = _ => EmulatorHost.DefaultPort });
        var scenario = new Option<FileInfo?>("--scenario") { Description = "Serve a scenario JSON file instead of the sample organization." };
        var accounts = NonNegative(new Option<int?>("--accounts") { Description = "Serve a generated scenario of N accounts (with --users)." });
        var users = NonNegative(new Option<int?>("--users") { Description = "Users per generated account (default 100)." });
        var ous = NonNegative(new Option<int>("--ous") { Description = "With --accounts: put the accounts in an organization with N OUs (0 = none)." });
        var seed = NonNegative(new Option<int>("--seed") { Description = "Seed of the generated scenario.", DefaultValueFactory = _ => 1 });
        var saveScenario = new Option<FileInfo?>("--save-scenario") { Description = "Write the served scenario (the ground truth) to FILE." };
        var tenantId = new Option<string?>("--tenant-id") { Description = "Trust tokens issued by https://sts.windows.net/ID/ (e.g. your own tenant)." };
        var appId = new Option<Guid?>("--app-id") { Description = "Trust the audience api://GUID." };
        var subject = new Option<string?>("--subject") { Description = "Trust this token subject (your managed identity's or your own object ID)." };
        var latency = NonNegative(new Option<int>("--latency-ms") { Description = "Delay every call by N ms." });
        var rate = NonNegative(new Option<int>("--rate") { Description = "IAM rate limit per account, calls per second (token bucket, burst N); 0 = none." });
        var reportDelay = NonNegative(new Option<int>("--report-delay-seconds") { Description = "Credential report generation time.", DefaultValueFactory = _ => 2 });

        var command = new Command(
            "emulator",
            "Run the loopback AWS emulator (STS, IAM, Organizations) with the sample organization and print the settings to point the Function or the CLI at it. Ctrl+C stops it.")
        {
            port, scenario, accounts, users, ous, seed, saveScenario, tenantId, appId, subject, latency, rate, reportDelay,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync(Preamble);
            var settings = new EmulatorHostSettings
            {
                Port = parse.GetValue(port),
                ScenarioFile = parse.GetValue(scenario)?.FullName,
                Accounts = parse.GetValue(accounts),
                Users = parse.GetValue(users),
                OrganizationalUnits = parse.GetValue(ous),
                Seed = parse.GetValue(seed),
                SaveScenario = parse.GetValue(saveScenario)?.FullName,
                TenantId = parse.GetValue(tenantId),
                AppId = parse.GetValue(appId)?.ToString(),
                Subject = parse.GetValue(subject),
                LatencyMs = parse.GetValue(latency),
                Rate = parse.GetValue(rate),
                ReportDelaySeconds = parse.GetValue(reportDelay),
                PrintToken = true,
            };
            return await EmulatorHost.RunAsync(settings, output, cancellationToken);
        });
        return command;
    }

    private static Option<T> NonNegative<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            // A token that is not a number is reported by the parser itself; reading the value here would throw.
            if (result.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 0)
            {
                result.AddError($"{option.Name} needs a non-negative whole number, not {value}.");
            }
        });
        return option;
    }

    internal const string Preamble = """
        To run the Function (func start) or iamkeys collect against this emulator with no Azure or AWS account, also set
          IamKey__Identity__DevelopmentToken=<the test token printed below>
          IamKey__Delivery__Sink=None        (or use iamkeys collect --output report.jsonl)
        The development token only answers the AWS audience; Key Vault and Logs Ingestion still need a real identity.

        """;
}
