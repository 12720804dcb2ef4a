using Amazon.Runtime;
using Amazon.SecurityToken;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// The accounts a run reaches, as <see cref="AwsAccountSession"/>s: the central account (if included) and the member
/// accounts, each with lazy refreshing credentials. The central credentials come from the Entra token
/// (<see cref="WebIdentityCredentials"/>) or the AWS SDK chain (<see cref="AwsSdkChainSource"/> +
/// <see cref="ChainedRoleCredentials"/>); members chain from them with <c>AssumeRole</c>. Sessions live as long as the
/// provider (a singleton), so a long-lived host reuses still-valid sessions across runs.
/// </summary>
public class AwsSessionProvider : IDisposable
{
    private readonly List<IAmazonSecurityTokenService> _stsClients = [];
    private readonly IReadOnlyList<AwsAccountSession> _sessions;
    private bool _disposed;

    public AwsSessionProvider(
        IOptions<AwsOptions> options,
        StsClientFactory stsClientFactory,
        EntraWebIdentityTokenSource tokenSource,
        AwsSdkChainSource sdkChainSource,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stsClientFactory);
        ArgumentNullException.ThrowIfNull(tokenSource);
        ArgumentNullException.ThrowIfNull(sdkChainSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        var settings = options.Value;
        var targets = AwsRoleTarget.Resolve(settings, out var errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(AwsOptions.SectionName, typeof(AwsOptions), errors);
        }

        Partition = AwsPartition.FromName(AwsArn.ParseRole(settings.RoleArn).Partition);
        IamEndpoint = settings.IamEndpoint ?? Partition.IamEndpoint;
        CentralCredentials = settings.CredentialSource switch
        {
            AwsCredentialSource.AwsSdkChain => new ChainedRoleCredentials(
                Track(stsClientFactory.Create(Partition, sdkChainSource)),
                sdkChainSource,
                settings.RoleArn,
                settings,
                timeProvider,
                loggerFactory.CreateLogger<ChainedRoleCredentials>()),
            _ => new WebIdentityCredentials(
                Track(stsClientFactory.Create(Partition)),
                tokenSource,
                settings.RoleArn,
                settings,
                timeProvider,
                loggerFactory.CreateLogger<WebIdentityCredentials>()),
        };

        // Every member's AssumeRole is signed with the central session: one STS client for all of them.
        IAmazonSecurityTokenService? memberSts = null;
        _sessions = targets
            .Select(target => new AwsAccountSession(
                target.AccountId,
                Partition,
                target.RoleArn,
                target.IsCentral
                    ? CentralCredentials
                    : new ChainedRoleCredentials(
                        memberSts ??= Track(stsClientFactory.Create(Partition, CentralCredentials)),
                        CentralCredentials,
                        target.RoleArn,
                        settings,
                        timeProvider,
                        loggerFactory.CreateLogger<ChainedRoleCredentials>()),
                IamEndpoint,
                Partition.IamSigningRegion))
            .ToList();
    }

    /// <summary>Mocking constructor.</summary>
    protected AwsSessionProvider()
    {
        _sessions = [];
        Partition = AwsPartition.Aws;
        IamEndpoint = Partition.IamEndpoint;
        CentralCredentials = null!;
    }

    /// <summary>The partition of the central role, shared by every account.</summary>
    public AwsPartition Partition { get; }

    /// <summary>The IAM endpoint every session uses.</summary>
    public Uri IamEndpoint { get; }

    /// <summary>The central role's credentials (also the source of every member's <c>AssumeRole</c>).</summary>
    public StsSessionCredentials CentralCredentials { get; }

    /// <summary>Every configured account, in configuration order.</summary>
    public virtual IReadOnlyList<AwsAccountSession> Sessions => _sessions;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        if (disposing)
        {
            foreach (var client in _stsClients)
            {
                client.Dispose();
            }
        }

        _disposed = true;
    }

    private IAmazonSecurityTokenService Track(IAmazonSecurityTokenService client)
    {
        _stsClients.Add(client);
        return client;
    }
}
