using System.Collections.Concurrent;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Tests.Runs;

/// <summary>Sessions for made-up accounts; nothing here talks to AWS (the fake collector never uses the credentials).</summary>
internal sealed class FixedSessions(params string[] accountIds) : AwsSessionProvider
{
    public override IReadOnlyList<AwsAccountSession> Sessions { get; } = [.. accountIds.Select(Session)];

    public static AwsAccountSession Session(string accountId) => new(
        accountId, AwsPartition.Aws, $"arn:aws:iam::{accountId}:role/IamKeyFuncReader", new AnonymousAWSCredentials(), AwsPartition.Aws.IamEndpoint, "us-east-1");
}

/// <summary>A collector double: per account, either records or an exception; optionally held until released.</summary>
internal sealed class ScriptedCollector : AccountCollector
{
    private readonly ConcurrentDictionary<string, Func<CollectionRun, AccountInventory>> _scripts = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;

    public ConcurrentQueue<string> Collected { get; } = new();

    /// <summary>When set, every collection waits for it before returning.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Collections of these accounts wait for their own signal before returning.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> HoldAccount { get; } = new(StringComparer.Ordinal);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public ScriptedCollector Returns(string accountId, int keys, string alias = "alias", int findings = 0)
    {
        _scripts[accountId] = run => new AccountInventory(
            $"{alias}-{accountId}",
            [.. Enumerable.Range(1, keys).Select(i => TestRecords.Key(run, accountId, $"user{i}", overdue: i <= findings))],
            new AccountCounts(UsersScanned: keys + 1, ApiCalls: (2 * keys) + 3, ThrottledRetries: 1));
        return this;
    }

    public ScriptedCollector Throws(string accountId, Exception exception)
    {
        _scripts[accountId] = _ => throw exception;
        return this;
    }

    public override async Task<AccountInventory> CollectAsync(AwsAccountSession session, CollectionRun run, FactRequest facts, CancellationToken cancellationToken = default)
    {
        var now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, now);
        try
        {
            Collected.Enqueue(session.AccountId);
            if (Hold is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
            }

            if (HoldAccount.TryGetValue(session.AccountId, out var own))
            {
                await own.Task.WaitAsync(cancellationToken);
            }

            return _scripts[session.AccountId](run);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

/// <summary>A second, in-memory <see cref="IReportSink"/>: keeps what it got, and can fail or throw on demand.</summary>
internal sealed class RecordingSink : IReportSink
{
    public string Name => "Recording";

    public List<string> Calls { get; } = [];

    public List<KeyRecord> Keys { get; } = [];

    public List<RunSummary> Summaries { get; } = [];

    /// <summary>Key records that "fail after retries": the first ones sent in the run, over all its deliveries.</summary>
    public int FailKeyRecords { get; set; }

    public Exception? ThrowOnKeys { get; set; }

    /// <summary>Every key record of this account "fails after retries" (a sink that breaks in the middle of a run).</summary>
    public string? FailKeysOfAccount { get; set; }

    /// <summary>Throws when handed this account's key records.</summary>
    public string? ThrowOnKeysOfAccount { get; set; }

    public Task<DeliveryResult> SendKeyRecordsAsync(IReadOnlyList<KeyRecord> records, CancellationToken cancellationToken = default)
    {
        Calls.Add("keys");
        if (ThrowOnKeys is { } ex)
        {
            throw ex;
        }

        if (records.Any(r => r.AccountId == ThrowOnKeysOfAccount))
        {
            throw new HttpRequestException("The connection was reset.");
        }

        var failed = records.Any(r => r.AccountId == FailKeysOfAccount) ? records.Count : Math.Min(FailKeyRecords, records.Count);
        FailKeyRecords -= Math.Min(FailKeyRecords, failed);
        var delivered = records.Count - failed;
        Keys.AddRange(records.Skip(failed));
        return Task.FromResult(new DeliveryResult(records.Count, delivered, failed, 1, failed > 0 ? 1 : 0, 100, 0, failed > 0 ? "Http503: still unavailable" : null));
    }

    public List<KeyEvent> Events { get; } = [];

    /// <summary>Events of the event delivery that "fail after retries".</summary>
    public int FailEvents { get; set; }

    public Task<DeliveryResult> SendKeyEventsAsync(IReadOnlyList<KeyEvent> events, CancellationToken cancellationToken = default)
    {
        Calls.Add("events");
        var failed = Math.Min(FailEvents, events.Count);
        Events.AddRange(events.Take(events.Count - failed));
        return Task.FromResult(new DeliveryResult(events.Count, events.Count - failed, failed, 1, failed > 0 ? 1 : 0, 100, 0, failed > 0 ? "Http503: still unavailable" : null));
    }

    public Task<DeliveryResult> SendRunSummariesAsync(IReadOnlyList<RunSummary> summaries, CancellationToken cancellationToken = default)
    {
        Calls.Add("summaries");
        Summaries.AddRange(summaries);
        return Task.FromResult(new DeliveryResult(summaries.Count, summaries.Count, 0, 1, 0, 100, 0, null));
    }
}

internal static class TestRecords
{
    /// <summary>One active key used a day before the run: created 200 days before it when <paramref name="overdue"/>
    /// (finding <c>RotationOverdue</c>, severity <c>High</c>), else 10 days before it (no finding).</summary>
    public static CollectedKey Key(CollectionRun run, string accountId, string userName, bool overdue) => new(
        userName,
        $"arn:aws:iam::{accountId}:user/{userName}",
        UserCreatedAt: null,
        PasswordEnabled: null,
        MfaActive: null,
        AccessKeyId: "AKIAIOSFODNN7TEST",
        Slot: 1,
        Active: true,
        CreatedAt: run.CollectedAt - TimeSpan.FromDays(overdue ? 200 : 10),
        LastUsed: new KeyUse(run.CollectedAt - TimeSpan.FromDays(1), "us-east-1", "iam"),
        IsRoot: false,
        FromReport: false);
}

/// <summary>Captures formatted log lines.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception)));
}
