using System.Globalization;
using System.Runtime.ExceptionServices;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Pipeline;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using StsCredentials = Amazon.SecurityToken.Model.Credentials;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// The refresh machinery shared by <see cref="WebIdentityCredentials"/> and <see cref="ChainedRoleCredentials"/>,
/// designed after the AWS SDK's <c>RefreshingAWSCredentials</c> but with an injected <see cref="TimeProvider"/>:
/// <list type="bullet">
/// <item>the STS session is cached with its expiration and refreshed a window before it expires
/// (<see cref="AwsOptions.CredentialRefreshWindow"/>, at most half the session's lifetime);</item>
/// <item>one caller refreshes at a time (<see cref="SemaphoreSlim"/> with a double-check): inside the window the caller
/// that gets the gate refreshes while the others keep using the still-valid session; once expired, every caller waits
/// for the one refresh. A failure is handed to the callers that waited for it, and to callers arriving within
/// a few seconds, rather than retried by each (a denied member role costs one STS call, not one per IAM request);</item>
/// <item>fresh credentials that are already expired are refused;</item>
/// <item><c>ExpiredTokenException</c> from STS renews the input (Entra token or source session) and retries once;
/// transient errors (<c>IDPCommunicationError</c>, throttling, 5xx) are retried by the AWS SDK itself
/// (<see cref="AwsOptions.StsMaxErrorRetry"/>);</item>
/// <item>an <c>ExpiredToken</c> from IAM can drop the session (<see cref="Invalidate"/>) or force a refresh
/// (<see cref="ForceRefreshAsync"/>).</item>
/// </list>
/// Neither the credentials nor anything derived from them is logged or printed.
/// </summary>
public abstract partial class StsSessionCredentials : AWSCredentials, IRefreshableCredentials
{
    /// <summary>AWS caps sessions obtained by role chaining at one hour.</summary>
    public const int MaxChainedSessionSeconds = 3600;

    /// <summary>After a failed refresh inside the window, wait this long before trying again (the session is still valid).</summary>
    private static readonly TimeSpan EarlyRefreshCooldown = TimeSpan.FromMinutes(1);

    /// <summary>Callers arriving this soon after a failed refresh get its error instead of calling STS again.</summary>
    private static readonly TimeSpan FailureReuse = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _refreshWindow;
    private readonly string _sessionNamePrefix;

    private Session? _session;
    private long _completedRefreshes;
    private ExceptionDispatchInfo? _lastFailure;
    private DateTimeOffset _lastFailureAt;
    private long _earlyRefreshNotBeforeTicks;

    protected StsSessionCredentials(string roleArn, int durationSeconds, AwsOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleArn);
        ArgumentOutOfRangeException.ThrowIfLessThan(durationSeconds, 900);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CredentialRefreshWindow, TimeSpan.Zero);
        RoleArn = roleArn;
        DurationSeconds = durationSeconds;
        _refreshWindow = options.CredentialRefreshWindow;
        _sessionNamePrefix = options.SessionNamePrefix;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The role this session is for.</summary>
    public string RoleArn { get; }

    /// <summary>The <c>DurationSeconds</c> asked of STS.</summary>
    public int DurationSeconds { get; }

    /// <summary>The STS operation, for messages (<c>AssumeRoleWithWebIdentity</c>, <c>AssumeRole</c>).</summary>
    protected abstract string OperationName { get; }

    /// <summary>When the current session expires (UTC), or null before the first refresh.</summary>
    public override DateTime? Expiration => Volatile.Read(ref _session)?.Expiration.UtcDateTime;

    /// <summary>When the current session will be refreshed, or null before the first refresh.</summary>
    public DateTimeOffset? RefreshAt => Volatile.Read(ref _session)?.RefreshAt;

    /// <summary>The role session name of the current session (shows in CloudTrail), or null before the first refresh.</summary>
    public string? SessionName => Volatile.Read(ref _session)?.Name;

    /// <summary>Sync path of the AWS SDK. Prefer <see cref="GetCredentialsAsync(CancellationToken)"/>.</summary>
    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => GetCredentialsAsync(CancellationToken.None);

    /// <summary>The current session's credentials, refreshed first when due.</summary>
    /// <exception cref="AwsFederationException">STS refused the role, or the Entra token could not be had.</exception>
    public async Task<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var session = Volatile.Read(ref _session);
        var now = _timeProvider.GetUtcNow();
        if (session is not null && now < session.RefreshAt)
        {
            return session.Credentials;
        }

        if (session is not null && now < session.Expiration)
        {
            return await RefreshEarlyAsync(session, now, cancellationToken).ConfigureAwait(false);
        }

        // No session, or expired: refresh in the caller's path; everyone waits for the one refresher.
        var seenRefreshes = Interlocked.Read(ref _completedRefreshes);
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (await RefreshUnlessDoneAsync(seenRefreshes, cancellationToken).ConfigureAwait(false)).Credentials;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>
    /// Drops the cached session so the next call refreshes. With <paramref name="rejected"/>, only if the cached
    /// session is still the one that was rejected (so many callers seeing the same <c>ExpiredToken</c> cause one refresh).
    /// </summary>
    public void Invalidate(ImmutableCredentials? rejected = null)
    {
        var session = Volatile.Read(ref _session);
        if (session is null)
        {
            return;
        }

        if (rejected is null || string.Equals(session.Credentials.AccessKey, rejected.AccessKey, StringComparison.Ordinal))
        {
            Interlocked.CompareExchange(ref _session, null, session);
        }
    }

    void IRefreshableCredentials.Invalidate(ImmutableCredentials rejected) => Invalidate(rejected);

    /// <summary>
    /// Refreshes now (e.g. IAM answered <c>ExpiredToken</c>). Callers that queue behind a refresh share its outcome.
    /// </summary>
    public async Task<ImmutableCredentials> ForceRefreshAsync(CancellationToken cancellationToken = default)
    {
        var seenRefreshes = Interlocked.Read(ref _completedRefreshes);
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _completedRefreshes) != seenRefreshes)
            {
                // Someone refreshed while we queued: take their outcome.
                _lastFailure?.Throw();
                if (Volatile.Read(ref _session) is { } refreshed)
                {
                    return refreshed.Credentials;
                }
            }

            ThrowRecentFailure();

            return (await RefreshCoreAsync(cancellationToken).ConfigureAwait(false)).Credentials;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    public override string ToString()
    {
        var session = Volatile.Read(ref _session);
        return session is null
            ? $"{GetType().Name}({RoleArn}, no session yet)"
            : $"{GetType().Name}({RoleArn}, session {session.Name}, expires {session.Expiration.ToString("O", CultureInfo.InvariantCulture)})";
    }

    /// <summary>Calls STS for a new session.</summary>
    /// <param name="sessionName">A valid role session name.</param>
    /// <param name="renewInput">True on the retry after <c>ExpiredTokenException</c>: get a new token or source session first.</param>
    protected abstract Task<StsCredentials> RequestCredentialsAsync(string sessionName, bool renewInput, CancellationToken cancellationToken);

    /// <summary>What to tell the operator for an STS error code (null: nothing to add).</summary>
    protected abstract string? HintFor(Amazon.Runtime.AmazonServiceException exception);

    /// <summary>The secrets the last STS request carried (the web-identity token, the source session's keys): STS's answer is redacted against them.</summary>
    protected virtual IEnumerable<string?> SecretsSent() => [];

    /// <summary>The current session's secret key and session token, for redacting what a service echoes of them; none before the first refresh.</summary>
    internal IEnumerable<string?> CurrentSecrets() => Volatile.Read(ref _session) is { } session
        ? [session.Credentials.SecretKey, session.Credentials.Token]
        : [];

    private async Task<ImmutableCredentials> RefreshEarlyAsync(Session session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Inside the window: the caller that gets the gate refreshes; the others keep the still-valid session.
        if (now.UtcTicks < Volatile.Read(ref _earlyRefreshNotBeforeTicks) || !_refreshGate.Wait(0))
        {
            return session.Credentials;
        }

        try
        {
            var current = Volatile.Read(ref _session);
            if (current is not null && _timeProvider.GetUtcNow() < current.RefreshAt)
            {
                return current.Credentials;
            }

            return (await RefreshCoreAsync(cancellationToken).ConfigureAwait(false)).Credentials;
        }
        catch (AwsFederationException ex) when (_timeProvider.GetUtcNow() < session.Expiration)
        {
            Volatile.Write(ref _earlyRefreshNotBeforeTicks, (_timeProvider.GetUtcNow() + EarlyRefreshCooldown).UtcTicks);
            LogEarlyRefreshFailed(_logger, RoleArn, session.Expiration, ex.ErrorCode, ex);
            return session.Credentials;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    // Under the gate. Double-check: a refresh may have happened while this caller waited.
    private async Task<Session> RefreshUnlessDoneAsync(long seenRefreshes, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _session);
        if (current is not null && _timeProvider.GetUtcNow() < current.Expiration)
        {
            return current;
        }

        if (Interlocked.Read(ref _completedRefreshes) != seenRefreshes)
        {
            // The refresh this caller waited for failed: share its outcome instead of calling STS again.
            _lastFailure?.Throw();
        }

        ThrowRecentFailure();
        return await RefreshCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    // Under the gate.
    private void ThrowRecentFailure()
    {
        if (_lastFailure is not null && _timeProvider.GetUtcNow() - _lastFailureAt < FailureReuse)
        {
            _lastFailure.Throw();
        }
    }

    // Under the gate.
    private async Task<Session> RefreshCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            var session = await RequestSessionAsync(cancellationToken).ConfigureAwait(false);
            _lastFailure = null;
            Volatile.Write(ref _earlyRefreshNotBeforeTicks, 0);
            Volatile.Write(ref _session, session);
            LogRefreshed(_logger, RoleArn, session.Name, session.Expiration, session.RefreshAt);
            return session;
        }
        catch (AwsFederationException ex)
        {
            _lastFailure = ExceptionDispatchInfo.Capture(ex);
            _lastFailureAt = _timeProvider.GetUtcNow();
            throw;
        }
        finally
        {
            Interlocked.Increment(ref _completedRefreshes);
        }
    }

    private async Task<Session> RequestSessionAsync(CancellationToken cancellationToken)
    {
        var sessionName = RoleSessionName.Create(_sessionNamePrefix, _timeProvider.GetUtcNow());
        var renewInput = false;
        while (true)
        {
            StsCredentials credentials;
            try
            {
                credentials = await RequestCredentialsAsync(sessionName, renewInput, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonServiceException ex) when (ex.ErrorCode is ("ExpiredTokenException" or "ExpiredToken") && !renewInput)
            {
                LogRetrying(_logger, OperationName, RoleArn, ex.ErrorCode);
                renewInput = true;
                continue;
            }
            catch (AmazonServiceException ex) when (!string.IsNullOrEmpty(ex.ErrorCode) || ex.StatusCode != 0)
            {
                throw AwsFederationException.FromSts(ex, RoleArn, OperationName, HintFor(ex), SecretsSent());
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A transport fault's text holds no answer of STS; it is redacted all the same, and its chain is not kept.
                throw new AwsFederationException(
                    $"STS {OperationName} for {RoleArn} could not be completed: {AwsRequestPipeline.Redact(ex.Message, SecretsSent())} Check IamKey:Aws:StsEndpoint, IamKey:Aws:StsRegion and outbound access to STS.",
                    AwsFederationException.StsUnreachable,
                    RoleArn);
            }

            return ToSession(credentials, sessionName);
        }
    }

    private Session ToSession(StsCredentials? credentials, string sessionName)
    {
        var now = _timeProvider.GetUtcNow();
        if (credentials?.Expiration is not { } expirationValue
            || string.IsNullOrEmpty(credentials.AccessKeyId)
            || string.IsNullOrEmpty(credentials.SecretAccessKey))
        {
            throw new AwsFederationException(
                $"STS {OperationName} for {RoleArn} answered without complete credentials.",
                errorCode: null,
                RoleArn);
        }

        var expiration = new DateTimeOffset(expirationValue.Kind == DateTimeKind.Local
            ? expirationValue.ToUniversalTime()
            : DateTime.SpecifyKind(expirationValue, DateTimeKind.Utc));
        if (expiration <= now)
        {
            throw new AwsFederationException(
                $"STS {OperationName} for {RoleArn} returned credentials that expire at {expiration:O}, which is not after the local clock ({now:O}). Check the host clock.",
                AwsFederationException.CredentialsAlreadyExpired,
                RoleArn);
        }

        // Refresh a window before expiry, but never sooner than half-way through the session's life.
        var window = TimeSpan.FromTicks(Math.Min(_refreshWindow.Ticks, (expiration - now).Ticks / 2));
        var immutable = new ImmutableCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);
        return new Session(immutable, expiration, expiration - window, sessionName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "STS session for {RoleArn} refreshed: session {SessionName}, expires {Expiration:O}, next refresh {RefreshAt:O}")]
    private static partial void LogRefreshed(ILogger logger, string roleArn, string sessionName, DateTimeOffset expiration, DateTimeOffset refreshAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "STS {Operation} for {RoleArn} failed with {ErrorCode}; retrying")]
    private static partial void LogRetrying(ILogger logger, string operation, string roleArn, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Early refresh of the STS session for {RoleArn} failed ({ErrorCode}); the current session stays in use until {Expiration:O}")]
    private static partial void LogEarlyRefreshFailed(ILogger logger, string roleArn, DateTimeOffset expiration, string? errorCode, Exception exception);

    /// <summary>A cached session. Not a record: nothing here should ever be printed.</summary>
    private sealed class Session(ImmutableCredentials credentials, DateTimeOffset expiration, DateTimeOffset refreshAt, string name)
    {
        public ImmutableCredentials Credentials { get; } = credentials;

        public DateTimeOffset Expiration { get; } = expiration;

        public DateTimeOffset RefreshAt { get; } = refreshAt;

        public string Name { get; } = name;
    }
}
