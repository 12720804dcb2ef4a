using System.Text.Json;

namespace IamKeyFunc.Testing.Azure;

/// <summary>
/// Reads and checks the Entra-v1-shaped JWTs the fakes hand out (minted by the AWS emulator's <c>TestJwt</c>). The
/// fakes check the claims (<c>iss</c>, <c>aud</c>, <c>exp</c>), never the signature.
/// </summary>
public static class FakeJwt
{
    /// <summary>The v1 issuer for a tenant: <c>https://sts.windows.net/{tenant}/</c> (trailing slash included).</summary>
    public static string V1Issuer(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    /// <summary>The claims of a JWT-shaped token; null when it is not one.</summary>
    public static JsonElement? ReadPayload(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            var padded = parts[1].Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            using var document = JsonDocument.Parse(Convert.FromBase64String(padded));
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Checks a bearer token's audience (with or without a trailing slash), issuer shape and expiry; null when valid, else the reason.</summary>
    public static string? Check(string? token, string expectedAudience, DateTimeOffset now)
    {
        if (ReadPayload(token) is not { } claims)
        {
            return "the token is not a JWT";
        }

        var audience = claims.TryGetProperty("aud", out var aud) ? aud.GetString() : null;
        if (!string.Equals(audience?.TrimEnd('/'), expectedAudience.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            return $"invalid audience '{audience}', expected '{expectedAudience}'";
        }

        var issuer = claims.TryGetProperty("iss", out var iss) ? iss.GetString() : null;
        if (issuer is null || !issuer.StartsWith("https://sts.windows.net/", StringComparison.Ordinal))
        {
            return $"invalid issuer '{issuer}'";
        }

        if (!claims.TryGetProperty("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) <= now)
        {
            return "the token has expired";
        }

        return null;
    }
}
