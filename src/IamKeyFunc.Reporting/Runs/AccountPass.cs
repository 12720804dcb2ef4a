using System.Globalization;
using System.Reflection;
using IamKeyFunc.Reporting.Accounts;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.History;
using IamKeyFunc.Reporting.Records;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>One account of one run: who started the run, when, and where the account sits.</summary>
public sealed record AccountWork(CollectionRun Run, RunTrigger Trigger, AwsAccountSession Session, AccountPlacement Placement);

/// <summary>
/// What one account's pass produced.
/// </summary>
/// <param name="Summary">The account's summary row (before key delivery: see <see cref="WithKeyDelivery"/>).</param>
/// <param name="Records">Its key records.</param>
/// <param name="History">Its changes against its snapshot and the snapshot to write once they are delivered; null when
/// history is off, the store failed or the account failed.</param>
/// <param name="MatchedExemptions">The exemptions (by <see cref="Exemption.Id"/>) that matched one of its keys.</param>
public sealed record AccountOutcome(RunSummary Summary, IReadOnlyList<KeyRecord> Records, PendingSnapshot? History, IReadOnlySet<int> MatchedExemptions)
{
    private static readonly IReadOnlySet<int> NoExemptions = new HashSet<int>();

    /// <summary>The account was not collected: its <c>Skipped</c> row, nothing else.</summary>
    internal static AccountOutcome Skipped(RunSummary summary) => new(summary, [], null, NoExemptions);

    /// <summary>
    /// After the account's key records were handed to the sink (and, when some failed, after the run's recovery pass):
    /// a summary must not say <c>Succeeded</c> for an account whose key rows did not all arrive. It becomes <c>Failed</c>
    /// with <see cref="AccountPass.KeysNotDeliveredCode"/> and how many of its records were lost. An account whose rows
    /// all arrived, some only through the recovery pass, stays <c>Succeeded</c> with the warning
    /// <see cref="AccountPass.KeysRecoveredCode"/> saying how many.
    /// </summary>
    public AccountOutcome WithKeyDelivery(DeliveryResult keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!Summary.Is(AccountStatus.Succeeded))
        {
            return this;
        }

        if (!keys.Succeeded)
        {
            var recovered = keys.Recovered > 0 ? $" ({keys.Recovered} more were delivered by the recovery pass)" : "";
            return this with
            {
                Summary = Summary with
                {
                    Status = AccountStatus.Failed.ToColumn(),
                    ErrorCode = AccountPass.KeysNotDeliveredCode,
                    ErrorMessage = $"{keys.Failed} of the account's {keys.Records} key records were not delivered{recovered}: {keys.Error}",
                },
            };
        }

        if (keys.Recovered == 0)
        {
            return this;
        }

        var note = $"{keys.Recovered} of the account's {keys.Records} key records failed their first send and were delivered by the run's recovery pass.";
        return this with
        {
            Summary = Summary with
            {
                ErrorCode = Summary.ErrorCode is { } code ? $"{code},{AccountPass.KeysRecoveredCode}" : AccountPass.KeysRecoveredCode,
                ErrorMessage = Summary.ErrorMessage is { } message ? $"{message} {note}" : note,
            },
        };
    }
}

/// <summary>
/// The per-account work of a run, the same for both engines (<see cref="ReportJob"/> in one process, the fan-out
/// orchestration one activity per account): collect the account within <see cref="CollectionOptions.AccountTimeout"/>
/// (asking the collector for the facts the policies need), evaluate its keys (policies, findings, exemptions,
/// privilege, risk), compare them with its snapshot, and build its summary row. A failure becomes a <c>Failed</c> row
/// with the service's error code and never an exception; only the caller's cancellation is thrown.
/// </summary>
public class AccountPass
{
    private static readonly string Version = typeof(AccountPass).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The code of an account that passed <see cref="CollectionOptions.AccountTimeout"/>.</summary>
    public const string TimeoutCode = "Timeout";

    /// <summary>The warning code of a credential report older than <see cref="CollectionOptions.MaxReportAge"/>.</summary>
    public const string StaleReportCode = "StaleCredentialReport";

    /// <summary>The code of an account whose key records did not all reach the sink.</summary>
    public const string KeysNotDeliveredCode = "KeyRecordsNotDelivered";

    /// <summary>The warning code of a succeeded account whose key records all arrived, some through the recovery pass.</summary>
    public const string KeysRecoveredCode = "KeyRecordsRecovered";

    /// <summary>The code of an account left out by the request (refresh <c>?account=</c>, <c>collect --account</c>).</summary>
    public const string NotRequestedCode = "NotRequested";

    private readonly AccountCollector _collector;
    private readonly KeyRecordBuilder _records;
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyPolicies? _policies;
    private readonly KeyHistory? _history;

    public AccountPass(
        AccountCollector collector,
        KeyRecordBuilder records,
        IOptions<CollectionOptions> options,
        TimeProvider timeProvider,
        KeyPolicies? policies = null,
        KeyHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _collector = collector;
        _records = records;
        _options = options.Value;
        _time = timeProvider;
        _policies = policies;
        _history = history is { Enabled: true } ? history : null;
    }

    /// <summary>The assembly's informational version, stamped on every summary.</summary>
    public static string CollectorVersion => Version;

    /// <summary>Change history is on: the outcomes carry pending snapshots and events.</summary>
    public bool HistoryEnabled => _history is not null;

    /// <summary>Collects and evaluates one account.</summary>
    public virtual async Task<AccountOutcome> RunAsync(AccountWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var result = await CollectAsync(work, cancellationToken).ConfigureAwait(false);
        var summary = Summarize(work, result);
        return new AccountOutcome(summary, result.Records, result.History, result.MatchedExemptions ?? new HashSet<int>());
    }

    /// <summary>
    /// The summary with a warning added to its <c>ErrorCode</c> and <c>ErrorMessage</c> (codes comma-separated, as
    /// <see cref="StaleReportCode"/> is), its status unchanged; the summary itself when <paramref name="warning"/> is null.
    /// </summary>
    public static RunSummary WithWarning(RunSummary summary, AccountIssue? warning)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (warning is null)
        {
            return summary;
        }

        var existing = summary.ErrorCode is { } code ? new AccountIssue(code, summary.ErrorMessage ?? "") : null;
        var combined = AccountIssue.Combine(existing, warning)!;
        return summary with { ErrorCode = combined.Code, ErrorMessage = combined.Message };
    }

    /// <summary>An account the run does not collect: its <c>Skipped</c> row, with the reason's code.</summary>
    public AccountOutcome Skip(AccountWork work, AccountIssue reason)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(reason);
        return AccountOutcome.Skipped(Summarize(work, new PassResult(AccountStatus.Skipped, null, AccountCounts.None, [], reason, TimeSpan.Zero)));
    }

    /// <summary>Why an account of <see cref="AccountSelection.All"/> is not collected: the source's exclusion, else not requested.</summary>
    public static AccountIssue SkipReason(AccountSelection selection, string accountId)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return selection.Exclusions.TryGetValue(accountId, out var exclusion)
            ? new AccountIssue(exclusion.Code, exclusion.Reason)
            : new AccountIssue(NotRequestedCode, "Not in the requested accounts.");
    }

    private async Task<PassResult> CollectAsync(AccountWork work, CancellationToken cancellationToken)
    {
        var (run, _, session, placement) = work;
        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(_options.AccountTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var facts = _policies?.FactsNeeded ?? FactRequest.KeysOnly;
            var inventory = await _collector.CollectAsync(session, run, facts, linked.Token).ConfigureAwait(false);
            var context = new AccountContext(
                run, session.Partition.Name, session.AccountId, inventory.AccountAlias, inventory.ReportGeneratedAt, inventory.ReportAgeHours)
            {
                Placement = placement,
            };
            var policies = _policies is null ? null : KeyPolicyContext.For(_policies, session.AccountId, placement, inventory.Context);
            var records = _records.Build(inventory.Keys, context, policies);

            // The history read is not part of the account's collection deadline; a store that fails costs only the events.
            var history = _history is null
                ? HistoryComparison.Off
                : await _history.CompareAsync(
                    new HistoryContext(session.Partition.Name, session.AccountId, inventory.AccountAlias, run.RunId, run.CollectedAt),
                    ObservedKeys.From(inventory.Keys, inventory.RootKeysKnown),
                    cancellationToken).ConfigureAwait(false);
            return new PassResult(
                AccountStatus.Succeeded, inventory.AccountAlias, inventory.Counts, records,
                AccountIssue.Combine(WithReportAge(inventory), history.Warning), _time.GetElapsedTime(started))
            {
                Summary = inventory.Context?.Summary,
                MatchedExemptions = policies?.MatchedExemptions,
                History = history.Pending,
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            var partial = ex as AccountCollectionException;
            var issue = new AccountIssue(
                TimeoutCode, $"The account was not collected within {CollectionOptions.SectionName}:{nameof(CollectionOptions.AccountTimeout)} ({_options.AccountTimeout:c}).");
            return new PassResult(AccountStatus.Failed, partial?.AccountAlias, partial?.Counts ?? AccountCounts.None, [], issue, _time.GetElapsedTime(started));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var partial = ex as AccountCollectionException;
            var cause = partial?.InnerException ?? ex;
            return new PassResult(
                AccountStatus.Failed, partial?.AccountAlias, partial?.Counts ?? AccountCounts.None, [], SafeError.From(cause, MemberRoleHint.For(cause, session)), _time.GetElapsedTime(started));
        }
    }

    /// <summary>The collector's warning, plus <see cref="StaleReportCode"/> when the credential report was older than <see cref="CollectionOptions.MaxReportAge"/>.</summary>
    private AccountIssue? WithReportAge(AccountInventory inventory)
    {
        if (inventory.ReportAgeHours is not { } hours || hours <= _options.MaxReportAge.TotalHours)
        {
            return inventory.Warning;
        }

        var stale = new AccountIssue(StaleReportCode, string.Create(CultureInfo.InvariantCulture,
            $"The credential report was {hours:0.##} hours old when read, older than {CollectionOptions.SectionName}:{nameof(CollectionOptions.MaxReportAge)} ({_options.MaxReportAge:c})."));
        return AccountIssue.Combine(inventory.Warning, stale);
    }

    private RunSummary Summarize(AccountWork work, PassResult result) => new()
    {
        RunId = work.Run.RunId,
        Trigger = RunNames.Trigger(work.Trigger),
        CollectedAt = work.Run.CollectedAt,
        Partition = work.Session.Partition.Name,
        AccountId = work.Session.AccountId,
        AccountAlias = result.Alias,
        AccountName = work.Placement.Name,
        OrganizationalUnitPath = work.Placement.OrganizationalUnitPath,
        AccountTags = work.Placement.Tags,
        DiscoverySource = work.Placement.Source.ToColumn(),
        RoleArn = work.Session.RoleArn,
        Mode = RunNames.Mode(_options.Mode),
        Status = result.Status.ToColumn(),
        ErrorCode = result.Issue?.Code,
        ErrorMessage = result.Issue?.Message,
        UsersScanned = result.Counts.UsersScanned,
        KeysReported = result.Records.Count,
        FindingsCount = result.Records.Count(r => r.Findings.Length > 0),
        ApiCalls = result.Counts.ApiCalls,
        ThrottledRetries = result.Counts.ThrottledRetries,
        DurationMs = Math.Round(result.Duration.TotalMilliseconds, 1),
        CollectorVersion = Version,
        AccountAccessKeysPresent = result.Summary?.AccessKeysPresent,
        AccountMfaEnabled = result.Summary?.MfaEnabled,
        ExemptKeys = result.Records.Count(r => r.Exempt),
    };

    /// <summary>One account's outcome before it becomes a summary. <c>FindingsCount</c> counts keys with at least one finding.</summary>
    private sealed record PassResult(AccountStatus Status, string? Alias, AccountCounts Counts, IReadOnlyList<KeyRecord> Records, AccountIssue? Issue, TimeSpan Duration)
    {
        public Aws.Iam.IamAccountSummary? Summary { get; init; }

        public IReadOnlySet<int>? MatchedExemptions { get; init; }

        public PendingSnapshot? History { get; init; }
    }
}
