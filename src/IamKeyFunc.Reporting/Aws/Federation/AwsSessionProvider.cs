using System.Collections.Concurrent;
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
    private readonly ConcurrentDictionary<string, AwsAccountSession> _discovered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChainedRoleCredentials> _roles = new(StringComparer.Ordinal);
    private readonly Lock _memberStsGate = new();
    private readonly AwsOptions _settings = new();
    private readonly StsClientFactory? _stsClientFactory;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly ILoggerFactory? _loggerFactory;
    private IAmazonSecurityTokenService? _memberSts;
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
        _settings = settings;
        _stsClientFactory = stsClientFactory;
        _time = timeProvider;
        _loggerFactory = loggerFactory;
        var targets = AwsRoleTarget.Resolve(settings, out var errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(AwsOptions.SectionName, typeof(AwsOptions), errors);
        }

        Partition = AwsPartition.FromName(AwsArn.ParseRole(settings.RoleArn).Partition);
        IamEndpoint = settings.IamEndpoint ?? Partition.IamEndpoint;
        WarnOfPlainHttp(settings, loggerFactory.CreateLogger<AwsSessionProvider>());
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

        _sessions = [.. targets.Select(target => target.IsCentral
            ? new AwsAccountSession(target.AccountId, Partition, target.RoleArn, CentralCredentials, IamEndpoint, Partition.IamSigningRegion) { IsCentral = true }
            : NewMemberSession(target.AccountId, target.RoleArn))];
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

    /// <summary>
    /// The session of an account found at run time (AWS Organizations discovery): the configured one when the account is
    /// listed, else its member role <c>arn:{partition}:iam::{id}:role/{MemberRoleName}</c> chained from the central session.
    /// Kept for the provider's lifetime, like the configured ones; nothing is called until the credentials are used.
    /// </summary>
    public virtual AwsAccountSession SessionFor(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return _sessions.FirstOrDefault(s => s.AccountId == accountId)
            ?? _discovered.GetOrAdd(accountId, id => NewMemberSession(id, $"arn:{Partition.Name}:iam::{id}:role/{_settings.MemberRoleName}"));
    }

    /// <summary>Credentials for another role assumed from the central session (e.g. the discovery role); kept like the sessions.</summary>
    public virtual AWSCredentials CredentialsFor(string roleArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        return _roles.GetOrAdd(roleArn, NewChainedCredentials);
    }

    private AwsAccountSession NewMemberSession(string accountId, string roleArn) =>
        new(accountId, Partition, roleArn, CredentialsFor(roleArn), IamEndpoint, Partition.IamSigningRegion);

    /// <summary>Every member's <c>AssumeRole</c> is signed with the central session: one STS client for all of them.</summary>
    private ChainedRoleCredentials NewChainedCredentials(string roleArn)
    {
        var factory = _stsClientFactory ?? throw new InvalidOperationException("The provider was built without an STS client factory.");
        IAmazonSecurityTokenService sts;
        lock (_memberStsGate)
        {
            sts = _memberSts ??= Track(factory.Create(Partition, CentralCredentials));
        }

        return new ChainedRoleCredentials(sts, CentralCredentials, roleArn, _settings, _time, _loggerFactory!.CreateLogger<ChainedRoleCredentials>());
    }

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

    /// <summary>Says once, loudly, that a token or signed request will cross the network in clear text (the validator allowed it by setting).</summary>
    private static void WarnOfPlainHttp(AwsOptions settings, ILogger logger)
    {
        foreach (var (endpoint, setting) in new[] { (settings.StsEndpoint, nameof(AwsOptions.StsEndpoint)), (settings.IamEndpoint, nameof(AwsOptions.IamEndpoint)) })
        {
            if (endpoint is { IsAbsoluteUri: true, IsLoopback: false } && endpoint.Scheme == Uri.UriSchemeHttp)
            {
                logger.LogWarning(
                    "{Setting} {Endpoint} is plain http (allowed by {AllowSetting}): the web-identity token and signed requests cross the network in clear text",
                    $"{AwsOptions.SectionName}:{setting}", endpoint.GetLeftPart(UriPartial.Authority), $"{AwsOptions.SectionName}:{nameof(AwsOptions.AllowInsecureHttpEndpoints)}");
            }
        }
    }
}
