using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// AWS credentials for a role reached with STS <c>AssumeRole</c>, SigV4-signed with source credentials: a member
/// account's role from the central web-identity session, or the central role from the AWS SDK chain. The session
/// lasts at most one hour (AWS's role-chaining limit). Refreshing, cached, one refresher at a time: see
/// <see cref="StsSessionCredentials"/>. A role that refuses the chain fails only when its credentials are first used.
/// </summary>
public sealed class ChainedRoleCredentials : StsSessionCredentials
{
    private readonly IAmazonSecurityTokenService _sts;
    private readonly string _sourceDescription;

    /// <param name="sts">An STS client whose credentials are <paramref name="source"/> (see <see cref="StsClientFactory"/>).</param>
    /// <param name="source">The credentials the <c>AssumeRole</c> call is signed with; renewed on <c>ExpiredTokenException</c> when they are an STS session.</param>
    /// <param name="roleArn">The role to assume; it must trust the source's principal.</param>
    /// <param name="options">Session name prefix, duration (capped at 3600 s), refresh window, retries.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Logs refreshes (never credentials).</param>
    public ChainedRoleCredentials(
        IAmazonSecurityTokenService sts,
        AWSCredentials source,
        string roleArn,
        AwsOptions options,
        TimeProvider timeProvider,
        ILogger<ChainedRoleCredentials> logger)
        : base(roleArn, Math.Min(options?.SessionDurationSeconds ?? throw new ArgumentNullException(nameof(options)), MaxChainedSessionSeconds), options, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentNullException.ThrowIfNull(source);
        _sts = sts;
        Source = source;
        _sourceDescription = source is StsSessionCredentials session ? session.RoleArn : "the AWS SDK credential chain";
    }

    /// <summary>The credentials the <c>AssumeRole</c> call is signed with.</summary>
    public AWSCredentials Source { get; }

    protected override string OperationName => "AssumeRole";

    protected override async Task<Credentials> RequestCredentialsAsync(string sessionName, bool renewInput, CancellationToken cancellationToken)
    {
        if (renewInput && Source is StsSessionCredentials sourceSession)
        {
            await sourceSession.ForceRefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var response = await _sts.AssumeRoleAsync(
                new AssumeRoleRequest
                {
                    RoleArn = RoleArn,
                    RoleSessionName = sessionName,
                    DurationSeconds = DurationSeconds,
                },
                cancellationToken).ConfigureAwait(false);
            return response.Credentials;
        }
        catch (AwsFederationException ex) when (!string.Equals(ex.RoleArn, RoleArn, StringComparison.Ordinal))
        {
            // The source session (signing this call) failed: say so, keep its code.
            throw new AwsFederationException(
                $"Cannot assume {RoleArn}: its source session failed. {ex.Message}",
                ex.ErrorCode,
                RoleArn,
                ex.Status == 0 ? null : (System.Net.HttpStatusCode)ex.Status,
                ex.RequestId,
                ex);
        }
    }

    /// <summary>The source credentials that signed the call: the central session's keys (the SDK chain's are not read again here).</summary>
    protected override IEnumerable<string?> SecretsSent() => Source is StsSessionCredentials session ? session.CurrentSecrets() : [];

    protected override string? HintFor(AmazonServiceException exception)
    {
        var message = exception.Message ?? "";
        return exception.ErrorCode switch
        {
            "AccessDenied" =>
                $"Check that the role trusts {_sourceDescription} (Principal.AWS, action sts:AssumeRole) and that the source may call sts:AssumeRole on it.",
            "ExpiredTokenException" or "ExpiredToken" =>
                $"The source session from {_sourceDescription} was expired at STS even after a refresh: check the host clock.",
            "RegionDisabledException" =>
                "STS is not activated in this region for the account: activate it or set IamKey:Aws:StsRegion to another region.",
            "ValidationError" when message.Contains("DurationSeconds", StringComparison.OrdinalIgnoreCase) =>
                "Chained role sessions are limited to 3600 seconds; lower IamKey:Aws:SessionDurationSeconds or the role's MaxSessionDuration is below it.",
            "InvalidClientTokenId" or "SignatureDoesNotMatch" =>
                $"The source credentials from {_sourceDescription} were not accepted by STS.",
            _ => null,
        };
    }
}
