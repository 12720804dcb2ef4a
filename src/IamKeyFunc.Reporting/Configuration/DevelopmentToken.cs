using System.Buffers.Text;
using System.Text.Json;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>The shape <c>IamKey:Identity:DevelopmentToken</c> must have: a JWT whose claims carry <c>exp</c>.</summary>
public static class DevelopmentToken
{
    /// <summary>The failure for a token that is not a JWT with an <c>exp</c> claim; it never quotes the token.</summary>
    public const string NotAJwt =
        "IamKey:Identity:DevelopmentToken must be a JWT with an exp claim (e.g. the test token iamkeys emulator prints).";

    /// <summary>The JWT's <c>exp</c> claim, when the token is a JWT that has one.</summary>
    public static bool TryReadExpiry(string token, out DateTimeOffset expiresOn)
    {
        ArgumentNullException.ThrowIfNull(token);
        expiresOn = default;
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        try
        {
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (claims.RootElement.ValueKind == JsonValueKind.Object
                && claims.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                && seconds is >= 0 and <= 253402300799)
            {
                expiresOn = DateTimeOffset.FromUnixTimeSeconds(seconds);
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            // Not a JWT; the caller reports it without echoing the token.
        }

        return false;
    }
}
