using System.Security.Cryptography;
using System.Text;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The decoded workspace shared key. It never leaves this type: callers ask for a signature. <see cref="ToString"/>
/// is redacted, so the key cannot end up in a log line or an exception message by accident.
/// </summary>
public sealed class WorkspaceKey
{
    private readonly byte[] _key;

    private WorkspaceKey(byte[] key, string? version)
    {
        _key = key;
        Version = version;
    }

    /// <summary>The Key Vault secret version the key came from (not secret), for logs about rotation.</summary>
    public string? Version { get; }

    /// <summary>Decodes a base64 key; false when <paramref name="base64"/> is empty or not valid base64.</summary>
    internal static bool TryCreate(string? base64, string? version, out WorkspaceKey? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var length) || length == 0)
        {
            return false;
        }

        key = new WorkspaceKey(buffer[..length], version);
        return true;
    }

    /// <summary><c>Base64(HMAC-SHA256(key, UTF8(stringToSign)))</c>.</summary>
    internal string Sign(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>
    /// <paramref name="message"/> (a service's answer) without any part of this key or of <paramref name="authorization"/>
    /// (the request's <c>SharedKey</c> header, whose signature is valid for its date), as <see cref="Errors.MessageText.Redact"/> does it.
    /// </summary>
    internal string RedactFrom(string? message, string authorization) =>
        Errors.MessageText.Redact(message, Convert.ToBase64String(_key), authorization[(authorization.LastIndexOf(':') + 1)..]);

    public override string ToString() => $"WorkspaceKey(version {Version ?? "?"}, value redacted)";
}
