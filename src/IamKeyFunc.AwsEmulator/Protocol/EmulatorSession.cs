using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>Temporary credentials issued by the emulator's STS; the session decides which account IAM calls act on.</summary>
internal sealed class EmulatorSession
{
    private CachedKey? _signingKey;
    private long _expiresUtcTicks;

    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public required string SessionToken { get; init; }

    public required string AccountId { get; init; }

    public required string Partition { get; init; }

    public required string RoleArn { get; init; }

    /// <summary><c>arn:{partition}:sts::{account}:assumed-role/{role}/{session}</c>.</summary>
    public required string AssumedRoleArn { get; init; }

    public required DateTimeOffset Expiration
    {
        get => new(Volatile.Read(ref _expiresUtcTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _expiresUtcTicks, value.UtcTicks);
    }

    public override string ToString() => $"{AssumedRoleArn} ({AccessKeyId}, expires {Expiration:O})";

    /// <summary>The SigV4 signing key for a credential scope, cached for the last scope used.</summary>
    public byte[] SigningKey(SigV4Authorization authorization)
    {
        var scope = authorization.Scope;
        if (Volatile.Read(ref _signingKey) is { } cached && cached.Scope == scope)
        {
            return cached.Key;
        }

        var key = SigV4.SigningKey(SecretAccessKey, authorization.Date, authorization.Region, authorization.Service);
        Volatile.Write(ref _signingKey, new CachedKey(scope, key));
        return key;
    }

    private sealed record CachedKey(string Scope, byte[] Key);
}

/// <summary>Issued sessions by access key ID.</summary>
internal sealed class SessionStore
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private readonly ConcurrentDictionary<string, EmulatorSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public IEnumerable<EmulatorSession> All => _sessions.Values;

    public EmulatorSession Issue(string accountId, string partition, string roleArn, string assumedRoleArn, DateTimeOffset expiration)
    {
        while (true)
        {
            var session = new EmulatorSession
            {
                AccessKeyId = "ASIA" + RandomNumberGenerator.GetString(Alphabet, 16),
                SecretAccessKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
                SessionToken = "IQoJZW11bGF0b3I" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(192)),
                AccountId = accountId,
                Partition = partition,
                RoleArn = roleArn,
                AssumedRoleArn = assumedRoleArn,
                Expiration = expiration,
            };
            if (_sessions.TryAdd(session.AccessKeyId, session))
            {
                return session;
            }
        }
    }

    public EmulatorSession? Find(string accessKeyId) => _sessions.GetValueOrDefault(accessKeyId);

    public void ExpireAll(DateTimeOffset now)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Expiration > now)
            {
                session.Expiration = now;
            }
        }
    }
}
