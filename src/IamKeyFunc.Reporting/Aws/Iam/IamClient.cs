using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Retries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// The IAM Query API (POST, form-encoded, SigV4) for one account session. Every attempt is signed afresh with
/// the credentials' current value. Throttling, 5xx, timeouts and connection faults are retried with
/// exponential backoff and full jitter; requests are paced by an <see cref="AdaptiveRatePacer"/> that learns the
/// account's send rate from throttling, with requests in flight bounded; <c>ExpiredToken</c> drops the cached session once and retries. IAM failures surface as
/// <see cref="IamException"/>; a failure to obtain credentials (e.g. <c>AwsFederationException</c>) passes through.
/// </summary>
public partial class IamClient
{
    public const string ApiVersion = "2010-05-08";
    internal const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private const string ServiceName = "iam";
    private const int MaxPageSize = 1000;
    private static readonly TimeSpan MaxPollDelay = TimeSpan.FromSeconds(5);

    private readonly CollectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly AwsRequestPipeline _pipeline;
    private readonly ILogger _logger;

    /// <param name="httpClient">From <see cref="IHttpClientFactory"/> (<see cref="IamClientFactory.HttpClientName"/>).</param>
    /// <param name="credentials">Session credentials; read per request so refreshed values are used.</param>
    /// <param name="endpoint">The IAM endpoint, e.g. <c>https://iam.amazonaws.com/</c>.</param>
    /// <param name="signingRegion">The SigV4 region for IAM in this partition, e.g. <c>us-east-1</c>.</param>
    /// <param name="options">Retry and concurrency settings; defaults when null.</param>
    /// <param name="timeProvider">The clock for signing and delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Retry and credential-report progress.</param>
    /// <param name="accountLabel">How this account appears in messages (an account ID); never a secret.</param>
    public IamClient(
        HttpClient httpClient,
        AWSCredentials credentials,
        Uri endpoint,
        string signingRegion,
        CollectionOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<IamClient>? logger = null,
        string? accountLabel = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(signingRegion);
        _options = options ?? new CollectionOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<IamClient>.Instance;
        AccountLabel = string.IsNullOrWhiteSpace(accountLabel) ? endpoint.Host : accountLabel;
        _pipeline = new AwsRequestPipeline(
            httpClient,
            credentials,
            new AwsEndpoint(endpoint, signingRegion, ServiceName),
            AwsPipelineOptions.From(_options),
            new AdaptiveRatePacer(_options.MaxConcurrentRequestsPerAccount, _timeProvider),
            _timeProvider,
            _logger,
            AccountLabel,
            Stats);
    }

    /// <summary>For mocking.</summary>
    protected IamClient()
    {
        _options = new CollectionOptions();
        _timeProvider = TimeProvider.System;
        _pipeline = null!;
        _logger = NullLogger.Instance;
        AccountLabel = "";
    }

    public string AccountLabel { get; }

    public AwsCallStats Stats { get; } = new();

    /// <summary>One page of <c>ListUsers</c>. IAM may return fewer than <paramref name="maxItems"/> while more exist.</summary>
    public virtual async Task<IamPage<IamUser>> ListUsersAsync(string? marker = null, int? maxItems = null, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync("ListUsers", PagingParameters(marker, maxItems), cancellationToken).ConfigureAwait(false);
        return Parse("ListUsers", result, IamXml.ParseListUsers);
    }

    /// <summary>Every user, following <c>Marker</c> while <c>IsTruncated</c>.</summary>
    public virtual IAsyncEnumerable<IamUser> ListAllUsersAsync(CancellationToken cancellationToken = default) =>
        ListAllUsersAsync(MaxPageSize, cancellationToken);

    /// <summary>Every user, asking for pages of <paramref name="maxItems"/> (1-1000).</summary>
    public virtual IAsyncEnumerable<IamUser> ListAllUsersAsync(int maxItems, CancellationToken cancellationToken = default) =>
        AllPagesAsync("ListUsers", marker => ListUsersAsync(marker, maxItems, cancellationToken), cancellationToken);

    /// <summary>All access keys of <paramref name="userName"/> (always named: temporary credentials require it).</summary>
    public virtual async Task<IReadOnlyList<AccessKeyMetadata>> ListAccessKeysAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        var keys = AllPagesAsync("ListAccessKeys", async marker =>
        {
            var parameters = PagingParameters(marker, maxItems: null);
            parameters.Insert(0, new("UserName", userName));
            var result = await SendAsync("ListAccessKeys", parameters, cancellationToken).ConfigureAwait(false);
            return Parse("ListAccessKeys", result, IamXml.ParseListAccessKeys);
        }, cancellationToken);
        return await keys.ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>When, where and for what the key was last used; null fields when never used.</summary>
    public virtual async Task<AccessKeyLastUsed> GetAccessKeyLastUsedAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        var result = await SendAsync("GetAccessKeyLastUsed", [new("AccessKeyId", accessKeyId)], cancellationToken).ConfigureAwait(false);
        return Parse("GetAccessKeyLastUsed", result, IamXml.ParseGetAccessKeyLastUsed);
    }

    /// <summary>The account's aliases (AWS allows at most one), all pages.</summary>
    public virtual async Task<IReadOnlyList<string>> ListAccountAliasesAsync(CancellationToken cancellationToken = default)
    {
        var aliases = AllPagesAsync("ListAccountAliases", async marker =>
        {
            var result = await SendAsync("ListAccountAliases", PagingParameters(marker, MaxPageSize), cancellationToken).ConfigureAwait(false);
            return Parse("ListAccountAliases", result, IamXml.ParseListAccountAliases);
        }, cancellationToken);
        return await aliases.ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts (or reuses, if under 4 hours old) a credential report.</summary>
    public virtual async Task<CredentialReportGeneration> GenerateCredentialReportAsync(CancellationToken cancellationToken = default)
    {
        var result = await SendAsync("GenerateCredentialReport", [], cancellationToken).ConfigureAwait(false);
        return Parse("GenerateCredentialReport", result, IamXml.ParseGenerateCredentialReport);
    }

    /// <summary>
    /// One <c>GetCredentialReport</c> call, parsed. Throws <see cref="IamException"/> with <c>ReportInProgress</c>,
    /// <c>ReportNotPresent</c> or <c>ReportExpired</c> when there is no report to get.
    /// </summary>
    public virtual async Task<CredentialReport> GetCredentialReportAsync(CancellationToken cancellationToken = default)
    {
        var result = await SendAsync("GetCredentialReport", [], cancellationToken).ConfigureAwait(false);
        var (content, _, generatedTime) = Parse("GetCredentialReport", result, IamXml.ParseGetCredentialReport);
        try
        {
            return CredentialReportParser.ParseBase64(content, generatedTime ?? _timeProvider.GetUtcNow());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IamException(
                $"IAM GetCredentialReport for {AccountLabel} returned a report that could not be read: {ex.Message}",
                IamErrorCodes.InvalidCredentialReport, (int)HttpStatusCode.OK, IamXml.RequestId(result), operation: "GetCredentialReport", innerException: ex);
        }
    }

    /// <summary>
    /// Generate, poll and get the credential report within <paramref name="timeout"/>: STARTED/INPROGRESS and
    /// <c>ReportInProgress</c> keep polling, <c>ReportNotPresent</c>/<c>ReportExpired</c> generate again,
    /// <c>LimitExceeded</c> backs off. At the deadline: <see cref="IamException"/> <c>CredentialReportTimeout</c>.
    /// </summary>
    public virtual async Task<CredentialReport> GetCredentialReportAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        string lastState = "not started";
        bool generate = true;
        int polls = 0;
        try
        {
            while (true)
            {
                if (generate)
                {
                    try
                    {
                        var generation = await GenerateCredentialReportAsync(linked.Token).ConfigureAwait(false);
                        lastState = generation.State.ToString();
                        generate = generation.State != CredentialReportState.Complete;
                    }
                    catch (IamException ex) when (ex.ErrorCode == IamErrorCodes.LimitExceeded)
                    {
                        lastState = ex.ErrorCode;
                    }
                }

                if (!generate)
                {
                    try
                    {
                        return await GetCredentialReportAsync(linked.Token).ConfigureAwait(false);
                    }
                    catch (IamException ex) when (ex.ErrorCode is IamErrorCodes.ReportInProgress or IamErrorCodes.ReportNotPresent or IamErrorCodes.ReportExpired)
                    {
                        lastState = ex.ErrorCode;
                        generate = ex.ErrorCode != IamErrorCodes.ReportInProgress;
                    }
                }

                polls++;
                var delay = Backoff.EqualJitter(polls, _options.RetryBaseDelay, Min(_options.RetryMaxDelay, MaxPollDelay));
                LogReportPending(AccountLabel, lastState, delay);
                await Task.Delay(delay, _timeProvider, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IamException(
                $"IAM credential report for {AccountLabel} was not ready within {timeout} (last state: {lastState}).",
                IamErrorCodes.CredentialReportTimeout, statusCode: 0, operation: "GetCredentialReport", attempts: polls + 1, innerException: ex);
        }
    }

    internal static byte[] FormBody(string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var all = new KeyValuePair<string, string>[] { new("Action", action), new("Version", ApiVersion) }.Concat(parameters);
        return Encoding.UTF8.GetBytes(string.Join('&', all.Select(p => $"{SigV4Signer.UriEncode(p.Key)}={SigV4Signer.UriEncode(p.Value)}")));
    }

    private static List<KeyValuePair<string, string>> PagingParameters(string? marker, int? maxItems)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(marker))
        {
            parameters.Add(new("Marker", marker));
        }

        if (maxItems is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxItems));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxPageSize, nameof(maxItems));
            parameters.Add(new("MaxItems", max.ToString(CultureInfo.InvariantCulture)));
        }

        return parameters;
    }

    /// <summary>
    /// Follows <c>Marker</c> while <c>IsTruncated</c>. A marker seen before (a cycle, not only a repeat of the last one)
    /// fails with <see cref="IamErrorCodes.PaginationLoop"/>; more pages than IAM's own limits allow
    /// (<see cref="MaxPages"/>) fail with <see cref="IamErrorCodes.TooManyPages"/>, so a hostile endpoint cannot keep
    /// the account busy forever.
    /// </summary>
    private async IAsyncEnumerable<T> AllPagesAsync<T>(
        string action,
        Func<string?, Task<IamPage<T>>> fetchPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int maxPages = MaxPages(action);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? marker = null;
        for (int pages = 1; ; pages++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await fetchPage(marker).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (!page.IsTruncated)
            {
                yield break;
            }

            if (page.Marker is null)
            {
                throw PagingFailure(action, IamErrorCodes.InvalidResponse, $"said IsTruncated but gave no Marker on page {pages}.");
            }

            if (!seen.Add(page.Marker))
            {
                throw PagingFailure(action, IamErrorCodes.PaginationLoop, $"returned a Marker it had already given (page {pages}): the pages loop.");
            }

            if (pages >= maxPages)
            {
                throw PagingFailure(action, IamErrorCodes.TooManyPages, $"was still truncated after {pages} pages, more than IAM's limits allow.");
            }

            marker = page.Marker;
        }
    }

    /// <summary>
    /// The most pages an honest IAM can return: 5,000 users per account (a truncated page holds at least one),
    /// 2 access keys per user, 1 alias per account; with room to spare for pages IAM cuts short.
    /// </summary>
    internal static int MaxPages(string action) => action switch
    {
        "ListUsers" => MaxUsersPerAccount,
        _ => 10,
    };

    internal const int MaxUsersPerAccount = 5000;

    private IamException PagingFailure(string action, string code, string message) =>
        new($"IAM {action} for {AccountLabel} {message}", code, (int)HttpStatusCode.OK, operation: action);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Credential report for {Account} not ready ({State}); polling again in {Delay}.")]
    private partial void LogReportPending(string account, string state, TimeSpan delay);
}
