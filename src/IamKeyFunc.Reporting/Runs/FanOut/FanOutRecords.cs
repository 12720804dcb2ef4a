using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Reporting.Runs.FanOut;

/// <summary>One queue message: collect <paramref name="AccountId"/> for run <paramref name="RunId"/>.</summary>
public sealed record AccountWorkItem(string RunId, string AccountId, RunTrigger Trigger, DateTimeOffset CollectedAt);

/// <summary>A fan-out run as its start wrote it (blob <c>{runId}/run.json</c>): the accounts it waits for and the lock it holds.</summary>
public sealed record FanOutRun(string RunId, RunTrigger Trigger, DateTimeOffset StartedAt, IReadOnlyList<string> AccountIds, string LeaseId);

/// <summary>One account's recorded outcome (blob <c>{runId}/accounts/{accountId}.json</c>), written once: a retry finds it and records nothing more.</summary>
/// <param name="KeysCollected">Key records built for the account.</param>
/// <param name="KeysDelivered">Of those, delivered to the sink.</param>
/// <param name="KeysFailed">Of those, not delivered (or not sent: no sink, or the account failed after building them).</param>
public sealed record AccountOutcomeRecord(string AccountId, string Status, string? ErrorCode, int KeysCollected, int KeysDelivered, int KeysFailed, int Attempt)
{
    public static AccountOutcomeRecord From(FanOutAccount account, int attempt)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new(account.Summary.AccountId, account.Summary.Status, account.Summary.ErrorCode, account.KeysCollected,
            account.KeyDelivery?.Delivered ?? 0, account.KeyDelivery?.Failed ?? 0, attempt);
    }
}

/// <summary>The run-level record (blob <c>{runId}/complete.json</c>, and the completion log line): exact totals over every account.</summary>
public sealed record FanOutRunTotals(
    string RunId,
    RunTrigger Trigger,
    RunStatus Status,
    int Accounts,
    int AccountsFailed,
    IReadOnlyList<string> FailedAccountIds,
    int KeysCollected,
    int KeysDelivered,
    int KeysFailed,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt)
{
    public TimeSpan Duration => CompletedAt - StartedAt;

    /// <summary>
    /// The totals of <paramref name="run"/> once every one of its accounts has exactly one outcome; null while some are
    /// missing. Outcomes of accounts the run did not ask for are ignored; a duplicate for one account is an error.
    /// </summary>
    public static FanOutRunTotals? TryComplete(FanOutRun run, IReadOnlyCollection<AccountOutcomeRecord> outcomes, DateTimeOffset completedAt)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(outcomes);
        var expected = run.AccountIds.ToHashSet(StringComparer.Ordinal);
        var byAccount = new Dictionary<string, AccountOutcomeRecord>(StringComparer.Ordinal);
        foreach (var outcome in outcomes.Where(o => expected.Contains(o.AccountId)))
        {
            if (!byAccount.TryAdd(outcome.AccountId, outcome))
            {
                throw new InvalidOperationException($"Run {run.RunId} has two outcomes for account {outcome.AccountId}.");
            }

            // Nothing sent (no sink) is 0 + 0; anything sent must account for every record.
            var sent = outcome.KeysDelivered + outcome.KeysFailed;
            if (sent != 0 && sent != outcome.KeysCollected)
            {
                throw new InvalidOperationException(
                    $"Run {run.RunId}, account {outcome.AccountId}: {outcome.KeysDelivered} delivered + {outcome.KeysFailed} failed is not the {outcome.KeysCollected} collected.");
            }
        }

        if (byAccount.Count < expected.Count)
        {
            return null;
        }

        var failed = byAccount.Values.Where(o => o.Status == AccountStatus.Failed.ToColumn()).Select(o => o.AccountId).Order(StringComparer.Ordinal).ToList();
        var attempted = byAccount.Values.Count(o => o.Status != AccountStatus.Skipped.ToColumn());
        var keysFailed = byAccount.Values.Sum(o => o.KeysFailed);
        var status = keysFailed > 0 || (failed.Count > 0 && failed.Count == attempted) ? RunStatus.Failed
            : failed.Count > 0 ? RunStatus.PartiallySucceeded
            : RunStatus.Succeeded;
        return new FanOutRunTotals(
            run.RunId, run.Trigger, status, byAccount.Count, failed.Count, failed,
            byAccount.Values.Sum(o => o.KeysCollected), byAccount.Values.Sum(o => o.KeysDelivered), keysFailed,
            run.StartedAt, completedAt);
    }
}
