using System.Buffers.Text;
using System.Text.Json;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator;

/// <summary>
/// Mints Entra-shaped v1 access tokens (header <c>{"alg":"RS256","typ":"JWT"}</c>; claims <c>iss</c>, <c>aud</c>,
/// <c>sub</c>, <c>oid</c>, <c>appid</c>, <c>tid</c>, <c>ver</c> = <c>1.0</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>) for the
/// emulator's <c>AssumeRoleWithWebIdentity</c>.
/// </summary>
/// <remarks>
/// Limitation: the signature segment is a dummy. The emulator checks the claims (issuer, audience, subject, expiry)
/// exactly as the role trust and the OIDC provider demand, but it never verifies a signature, so it cannot catch a
/// client that sends a token signed by the wrong key. These tokens are worthless outside the emulator.
/// </remarks>
public static class TestJwt
{
    private static readonly string DummySignature = Encode("emulator-does-not-verify-signatures"u8);

    public static string Create(
        string issuer,
        string audience,
        string subject,
        DateTimeOffset expires,
        DateTimeOffset? issuedAt = null,
        string? appId = null,
        string? objectId = null)
    {
        var iat = issuedAt ?? expires - TimeSpan.FromHours(1);
        var header = Encode("""{"alg":"RS256","typ":"JWT"}"""u8);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("aud", audience);
            json.WriteString("iss", issuer);
            json.WriteNumber("iat", iat.ToUnixTimeSeconds());
            json.WriteNumber("nbf", iat.ToUnixTimeSeconds());
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteString("appid", appId ?? AppIdFromAudience(audience));
            json.WriteString("appidacr", "2");
            json.WriteString("idp", issuer);
            json.WriteString("oid", objectId ?? subject);
            json.WriteString("sub", subject);
            json.WriteString("tid", TenantFromIssuer(issuer));
            json.WriteString("ver", "1.0");
            json.WriteEndObject();
        }

        return $"{header}.{Encode(buffer.ToArray())}.{DummySignature}";
    }

    /// <summary>A token the scenario's central role accepts (its issuer, first audience and first allowed subject).</summary>
    public static string ForScenario(EmulatorScenario scenario, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var trust = scenario.CentralRole?.WebIdentity ?? throw new InvalidOperationException("The scenario has no web-identity role.");
        return Create(scenario.Oidc.Issuer, trust.Audience, trust.Subjects.FirstOrDefault() ?? "emulator-subject", expires);
    }

    /// <summary>Reads the claims the emulator checks; false when the token is not a three-part JWT with a JSON payload.</summary>
    internal static bool TryReadClaims(string token, out JwtClaims claims)
    {
        claims = default;
        var parts = token.Split('.');
        if (parts.Length != 3 || !TryDecode(parts[0], out _) || !TryDecode(parts[1], out var payload))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            claims = new JwtClaims(
                String(root, "iss"),
                Audiences(root),
                String(root, "sub"),
                Time(root, "exp"),
                Time(root, "nbf"));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string AppIdFromAudience(string audience) =>
        audience.StartsWith("api://", StringComparison.Ordinal) ? audience["api://".Length..] : audience;

    private static string TenantFromIssuer(string issuer) => issuer.TrimEnd('/').Split('/')[^1];

    private static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    private static bool TryDecode(string segment, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(segment);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static string[] Audiences(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud))
        {
            return [];
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => [.. aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)],
            _ => [],
        };
    }
}

internal readonly record struct JwtClaims(string? Issuer, string[] Audiences, string? Subject, DateTimeOffset? Expires, DateTimeOffset? NotBefore);
