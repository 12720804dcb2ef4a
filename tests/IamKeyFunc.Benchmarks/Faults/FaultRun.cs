using System.Diagnostics;
using System.Text.Json;
using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Benchmarks.Faults;

/// <summary>How one faulted run ended, checked against the fake workspace.</summary>
/// <param name="Complete">Every key row collected, every change event and every summary delivered, each exactly once.</param>
/// <param name="Violation">What broke the rules (a duplicate, a count that disagrees with the workspace, a run past its budget); null when none.</param>
internal sealed record FaultRunResult(
    SinkMode Sink,
    int Seed,
    TimeSpan Budget,
    RunStatus Status,
    TimeSpan Duration,
    int Accounts,
    int AccountsFailedInAws,
    int Keys,
    int KeysMissing,
    int Events,
    int EventsMissing,
    int Summaries,
    int SummariesMissing,
    int BatchesRecovered,
    int RecoveryRounds,
    bool DeadlineReached,
    TimeSpan? RecoveryEnded,
    int FaultsInjected,
    bool Complete,
    string? Violation)
{
    public bool ExactShortfall => !Complete && Violation is null;
}

/// <summary>
/// One scenario, run twice against a fresh AWS emulator and fresh Azure fakes through the production composition root
/// (<c>AddIamKeyReporting</c>), with change history in a state folder: a clean baseline run (the snapshots), then some
/// keys deleted and deactivated, then the measured run with a seeded fault rate on every endpoint. The measured run's
/// rows in the fake workspace are then compared with what the run says it delivered.
/// </summary>
internal static class FaultRun
{
    /// <summary>A run may end this much after its budget: the last send is cut at the deadline, then the run closes.</summary>
    public static readonly TimeSpan BudgetSlack = TimeSpan.FromSeconds(1);

    public static async Task<FaultRunResult> RunAsync(FaultArguments arguments, SinkMode sink, int seed, TimeSpan budget, CancellationToken cancellationToken)
    {
        var scenario = ScenarioGenerator.Generate(
            new ScenarioGeneratorSettings { Accounts = arguments.Accounts, UsersPerAccount = arguments.Users, Seed = seed, RootKeyShare = 0.5 },
            TimeProvider.System.GetUtcNow());
        var state = Directory.CreateTempSubdirectory("iamkeys-faults-").FullName;
        try
        {
            await using var emulator = await AwsEmulatorServer.StartAsync(scenario, new EmulatorOptions { Seed = seed });
            await using var azure = await AzureFakes.StartAsync();
            await using var services = Services(emulator, azure, sink, budget, state);
            var job = services.GetRequiredService<ReportJob>();

            var baseline = await job.RunAsync(new RunRequest(RunTrigger.Timer), cancellationToken);
            if (baseline.Status != RunStatus.Succeeded)
            {
                throw new InvalidOperationException($"The fault-free baseline run of seed {seed} did not succeed: {baseline.Status}.");
            }

            emulator.ChangeScenario(Change);
            var injected = Inject(emulator, azure, arguments.Rate, seed);
            var clock = Stopwatch.StartNew();
            var result = await job.RunAsync(new RunRequest(RunTrigger.Timer, KeepRecords: true), cancellationToken);
            clock.Stop();
            emulator.Options.Faults.Clear();
            var faults = injected.Sum(f => f.Injected) + (int)emulator.Stats.InjectedFaults;
            foreach (var knobs in injected)
            {
                knobs.Clear();
            }

            return Check(new Workspace(azure, sink), result, sink, seed, budget, clock.Elapsed, faults);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static FaultRunResult Check(Workspace workspace, RunResult result, SinkMode sink, int seed, TimeSpan budget, TimeSpan wall, int faults)
    {
        var keys = result.KeyDelivery ?? Reporting.Delivery.DeliveryResult.Empty;
        var events = result.EventDelivery ?? Reporting.Delivery.DeliveryResult.Empty;
        var summaries = result.SummaryDelivery!;
        var problems = new List<string>();

        var storedKeys = workspace.Rows(workspace.KeyTable, result.RunId).Select(r => $"{Text(r, "AccountId")}|{Text(r, "UserName")}|{r.GetProperty("KeySlot").GetInt32()}").ToList();
        var collected = result.Records.Select(r => $"{r.AccountId}|{r.UserName}|{r.KeySlot}").ToHashSet(StringComparer.Ordinal);
        Exactly("key rows", storedKeys, keys.Delivered, result.KeysCollected, keys, problems);
        problems.AddRange(storedKeys.Where(k => !collected.Contains(k)).Take(1).Select(k => $"a key row that was not collected: {k}"));

        var storedEvents = workspace.Rows(workspace.EventTable, result.RunId).Select(r => $"{Text(r, "AccountId")}|{Text(r, "EventType")}|{Text(r, "UserName")}|{Text(r, "AccessKeyIdHash")}").ToList();
        Exactly("change events", storedEvents, events.Delivered, result.Events.Count, events, problems);

        var storedSummaries = workspace.Rows(workspace.SummaryTable, result.RunId).ToList();
        Exactly("summaries", [.. storedSummaries.Select(r => Text(r, "AccountId")!)], summaries.Delivered, result.Accounts.Count, summaries, problems);
        var finalRows = result.Accounts.ToDictionary(a => a.AccountId, a => (a.Status, a.ErrorCode));
        problems.AddRange(storedSummaries
            .Where(r => !finalRows.TryGetValue(Text(r, "AccountId")!, out var row) || row != (Text(r, "Status")!, Text(r, "ErrorCode")))
            .Take(1)
            .Select(r => $"a summary row that is not the run's final word on account {Text(r, "AccountId")}"));
        if (keys.Failed == 0 && summaries.Delivered == 0 && result.Recovery is { DeadlineReached: false })
        {
            problems.Add("every key row arrived but no summary while time remained");
        }

        // The budget bounds the recovery pass: the first sends (each account's rows as it is collected, the events, the
        // summaries) go out whatever the time, so a collection slower than the budget makes the run longer than it.
        if (result.Recovery?.EndedAt is { } ended && ended - result.StartedAt > budget + BudgetSlack)
        {
            problems.Add($"the recovery pass sent until {(ended - result.StartedAt).TotalSeconds:0.00} s into the run, past its {budget.TotalSeconds:0.#} s budget");
        }

        var complete = keys.Failed == 0 && events.Failed == 0 && summaries.Failed == 0;
        return new FaultRunResult(
            sink,
            seed,
            budget,
            result.Status,
            wall,
            result.Accounts.Count,
            result.Accounts.Count(a => a.Is(AccountStatus.Failed) && a.ErrorCode != AccountPass.KeysNotDeliveredCode),
            result.KeysCollected,
            keys.Failed,
            result.Events.Count,
            events.Failed,
            result.Accounts.Count,
            summaries.Failed,
            result.RecoveredBatches,
            result.Recovery?.Rounds ?? 0,
            result.Recovery?.DeadlineReached ?? false,
            result.Recovery?.EndedAt - result.StartedAt,
            faults,
            complete && problems.Count == 0,
            problems.Count == 0 ? null : string.Join("; ", problems));
    }

    /// <summary>The workspace holds each of a table's delivered records once, and delivered + failed = handed to the sink.</summary>
    private static void Exactly(string what, List<string> stored, int delivered, int handed, Reporting.Delivery.DeliveryResult result, List<string> problems)
    {
        if (stored.Count != stored.Distinct(StringComparer.Ordinal).Count())
        {
            problems.Add($"{what}: {stored.Count - stored.Distinct(StringComparer.Ordinal).Count()} duplicates in the workspace");
        }

        if (stored.Count != delivered)
        {
            problems.Add($"{what}: the run says {delivered} delivered, the workspace holds {stored.Count}");
        }

        if (result.Delivered + result.Failed != handed)
        {
            problems.Add($"{what}: {result.Delivered} delivered + {result.Failed} failed is not the {handed} handed to the sink");
        }
    }

    /// <summary>Changes between the runs, so the measured run has change events: a key deleted and one deactivated per account.</summary>
    private static void Change(EmulatorScenario scenario)
    {
        foreach (var account in scenario.Accounts)
        {
            var users = account.Users.Where(u => u.AccessKeys.Count > 0).ToList();
            if (users.Count > 0)
            {
                users[0].AccessKeys.RemoveAt(0);
            }

            if (users.Count > 1 && users[1].AccessKeys.FirstOrDefault(k => k.Status == "Active") is { } key)
            {
                key.Status = "Inactive";
            }
        }
    }

    /// <summary>
    /// The same fault rate on every endpoint: the AWS emulator (STS and IAM) answers 500 <c>InternalFailure</c>, 503
    /// <c>ServiceUnavailable</c> or drops the connection; the managed identity endpoint, Key Vault, the Data Collector and
    /// Logs Ingestion answer 429 (<c>Retry-After: 1</c>), 500 or 503. AWS <c>Throttling</c> is left out: the adaptive rate
    /// pacer then slows each account towards its floor rate, which is a collection matter, and makes every run minutes long.
    /// </summary>
    private static List<FaultKnobs> Inject(AwsEmulatorServer emulator, AzureFakes azure, double rate, int seed)
    {
        // Three rules tried in turn: p1 + (1 - p1) p2 + (1 - p1)(1 - p2) p3 = rate, a third of the faults each.
        var third = rate / 3;
        emulator.Options.Faults.FailRandomly(EmulatorFaults.AnyOperation, third, "InternalFailure", 500, "Injected fault.", seed);
        emulator.Options.Faults.FailRandomly(EmulatorFaults.AnyOperation, third / (1 - third), "ServiceUnavailable", 503, seed: seed + 1);
        emulator.Options.Faults.AbortRandomly(EmulatorFaults.AnyOperation, third / (1 - (2 * third)), seed + 2);
        List<FaultKnobs> knobs = [azure.ManagedIdentity.Faults, azure.KeyVault.Faults, azure.DataCollector.Faults, azure.LogsIngestion.Faults];
        for (var i = 0; i < knobs.Count; i++)
        {
            knobs[i].FailRandomly(rate, seed + 10 + i, 429, 500, 503);
        }

        return knobs;
    }

    private static ServiceProvider Services(AwsEmulatorServer emulator, AzureFakes azure, SinkMode sink, TimeSpan budget, string state)
    {
        var scenario = emulator.Scenario;
        var members = scenario.Accounts.Where(a => a != scenario.CentralAccount).ToList();
        var settings = new Dictionary<string, string?>(azure.Settings(sink))
        {
            ["IamKey:Aws:RoleArn"] = scenario.CentralRoleArn,
            ["IamKey:Aws:Audience"] = scenario.CentralRole!.WebIdentity!.Audience,
            ["IamKey:Aws:StsEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:IamEndpoint"] = emulator.Endpoint.ToString(),
            ["IamKey:Aws:MemberAccountIds"] = string.Join(',', members.Select(a => a.AccountId)),
            ["IamKey:Aws:MemberRoleName"] = members.SelectMany(a => a.Roles).Select(r => r.Name).FirstOrDefault() ?? "IamKeyFuncMember",
            ["IamKey:Aws:StsMaxRetryBackoff"] = "00:00:00.050",
            ["IamKey:Collection:KeyIdFormat"] = nameof(KeyIdFormat.Full),
            ["IamKey:History:Enabled"] = "true",
            ["IamKey:History:StateDirectory"] = state,

            // Production attempts everywhere; only the waits are shortened (fault tests never sleep for real minutes).
            ["IamKey:Collection:RetryBaseDelay"] = "00:00:00.002",
            ["IamKey:Collection:RetryMaxDelay"] = "00:00:00.050",
            ["IamKey:Delivery:MaxAttempts"] = "4",
            ["IamKey:Delivery:RetryBaseDelay"] = "00:00:00.010",
            ["IamKey:Delivery:RetryMaxDelay"] = "00:00:00.200",
            ["IamKey:Delivery:RunTimeBudget"] = budget.ToString("c"),
        };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TokenCredential>(new Credential(scenario, azure.CreateCredential()));
        azure.ConfigureServices(services);
        services.AddIamKeyReporting(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static string? Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The app's identity: the Entra token the emulator's OIDC trust accepts for AWS; the fake managed identity for Azure.</summary>
    private sealed class Credential(EmulatorScenario scenario, TokenCredential azure) : TokenCredential
    {
        private string AwsScope => scenario.CentralRole!.WebIdentity!.Audience + "/.default";

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            if (requestContext.Scopes is [var scope] && scope == AwsScope)
            {
                var expires = TimeProvider.System.GetUtcNow().AddHours(1);
                return ValueTask.FromResult(new AccessToken(TestJwt.ForScenario(scenario, expires), expires));
            }

            return azure.GetTokenAsync(requestContext, cancellationToken);
        }
    }

    /// <summary>The fake workspace behind one sink, one run's rows of each table.</summary>
    private sealed class Workspace(AzureFakes azure, SinkMode sink)
    {
        private bool DataCollector => sink == SinkMode.DataCollector;

        public string KeyTable => DataCollector ? "AwsAccessKeyReport" : "Custom-AwsAccessKeyReport";

        public string EventTable => DataCollector ? "AwsAccessKeyEvents" : "Custom-AwsAccessKeyEvents";

        public string SummaryTable => DataCollector ? "AwsAccessKeyRunSummary" : "Custom-AwsAccessKeyRunSummary";

        public IEnumerable<JsonElement> Rows(string table, string runId) =>
            (DataCollector ? azure.DataCollector.Records(table) : azure.LogsIngestion.Records(table)).Where(r => Text(r, "RunId") == runId);
    }
}
