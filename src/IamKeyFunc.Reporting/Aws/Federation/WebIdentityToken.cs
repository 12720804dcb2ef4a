using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;

namespace IamKeyFunc.Reporting.Aws.Federation;

/// <summary>
/// An Entra access token to trade at STS. The token string is a secret: it is only reachable through
/// <see cref="Reveal"/> (no property, so serializers and debuggers do not show it) and <see cref="ToString"/>
/// prints the non-secret claims only. The claims are read from the JWT payload for diagnostics, without
/// checking the signature (STS does that).
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class WebIdentityToken
{
    private readonly string _value;

    public WebIdentityToken(string value, DateTimeOffset expiresOn)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
        ExpiresOn = expiresOn;
        (Issuer, Audience, Version, Subject) = ReadClaims(value);
    }

    public DateTimeOffset ExpiresOn { get; }

    /// <summary><c>iss</c>: <c>https://sts.windows.net/{tenant}/</c> for a v1 token.</summary>
    public string? Issuer { get; }

    /// <summary><c>aud</c>: <c>api://{appId}</c> for a v1 token asked for that resource.</summary>
    public string? Audience { get; }

    /// <summary><c>ver</c>: <c>1.0</c> or <c>2.0</c>.</summary>
    public string? Version { get; }

    /// <summary><c>sub</c>: for a managed identity, its object (principal) ID; the role trust policy pins it.</summary>
    public string? Subject { get; }

    /// <summary>The token string, for the STS request only.</summary>
    public string Reveal() => _value;

    /// <summary>Non-secret claims for messages: <c>iss=…, aud=…, ver=…, sub=…</c>.</summary>
    public string DescribeClaims() =>
        $"iss={Issuer ?? "?"}, aud={Audience ?? "?"}, ver={Version ?? "?"}, sub={Subject ?? "?"}";

    public override string ToString() => $"WebIdentityToken(***; {DescribeClaims()}; expires {ExpiresOn:O})";

    private static (string? Issuer, string? Audience, string? Version, string? Subject) ReadClaims(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return default;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = payload.RootElement;
            return (Claim(root, "iss"), Claim(root, "aud"), Claim(root, "ver"), Claim(root, "sub"));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return default;
        }
    }

    private static string? Claim(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
