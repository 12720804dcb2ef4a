using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.State;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IamKeyFunc.AwsEmulator.Hosting;

/// <summary>
/// Authenticates a signed call the way AWS does: the Authorization header, the session (access key + token, expiry),
/// the credential scope (service, region, date), the request date against the clock, then the SigV4 signature
/// recomputed from the received request.
/// </summary>
internal sealed class RequestAuthenticator(EmulatorState state)
{
    private const string InvalidToken = "The security token included in the request is invalid.";
    private const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public bool TryAuthenticate(HttpRequest http, byte[] body, QueryRequest request, out QueryResponse? error)
    {
        error = Authenticate(http, body, request);
        return error is null;
    }

    private QueryResponse? Authenticate(HttpRequest http, byte[] body, QueryRequest request)
    {
        var header = http.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return request.Error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        }

        if (!SigV4.TryParseAuthorization(header, out var authorization, out var parseError))
        {
            return request.Error(400, "IncompleteSignature", parseError);
        }

        if (!authorization.SignedHeaders.Contains("host", StringComparer.Ordinal))
        {
            return request.Error(400, "IncompleteSignature", "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (!TryReadRequestDate(http, out var requestDate, out var amzDate))
        {
            return request.Error(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        if (state.Sessions.Find(authorization.AccessKeyId) is not { } session
            || !string.Equals(http.Headers["X-Amz-Security-Token"].ToString(), session.SessionToken, StringComparison.Ordinal))
        {
            return request.Error(403, "InvalidClientTokenId", InvalidToken);
        }

        if (request.Now >= session.Expiration)
        {
            return request.Error(403, "ExpiredToken", "The security token included in the request is expired");
        }

        if (ScopeError(authorization, request, session, amzDate) is { } scopeError)
        {
            return request.Error(403, "SignatureDoesNotMatch", scopeError);
        }

        var skew = state.Options.MaxClockSkew;
        if (requestDate < request.Now - skew)
        {
            return request.Error(403, "SignatureDoesNotMatch",
                $"Signature expired: {amzDate} is now earlier than {Format(request.Now - skew)} ({Format(request.Now)} - {skew.TotalMinutes:0} min.)");
        }

        if (requestDate > request.Now + skew)
        {
            return request.Error(403, "SignatureDoesNotMatch",
                $"Signature not yet current: {amzDate} is still later than {Format(request.Now + skew)} ({Format(request.Now)} + {skew.TotalMinutes:0} min.)");
        }

        var payloadHash = SigV4.Sha256Hex(body);
        var declaredHash = http.Headers["x-amz-content-sha256"].ToString();
        if (declaredHash.Length > 0 && declaredHash != "UNSIGNED-PAYLOAD" && !string.Equals(declaredHash, payloadHash, StringComparison.OrdinalIgnoreCase))
        {
            return request.Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonicalRequest = SigV4.CanonicalRequest(http.Method, RawPath(http), http.QueryString.Value, http.Headers, authorization.SignedHeaders, payloadHash);
        var stringToSign = SigV4.StringToSign(amzDate, authorization.Scope, canonicalRequest);
        var expected = SigV4.Signature(session.SigningKey(authorization), stringToSign);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            return request.Error(403, "SignatureDoesNotMatch", SignatureMismatch);
        }

        request.Session = session;
        return null;
    }

    private string? ScopeError(SigV4Authorization authorization, QueryRequest request, EmulatorSession session, string amzDate)
    {
        if (authorization.Service != request.Service.SigningName)
        {
            return $"Credential should be scoped to correct service: '{request.Service.SigningName}'. ";
        }

        if (request.Service == AwsService.Iam && state.FindAccount(session.AccountId) is { } account
            && authorization.Region != account.Account.EffectiveIamSigningRegion)
        {
            return $"Credential should be scoped to a valid region, not '{authorization.Region}'. ";
        }

        return authorization.Date != amzDate[..8]
            ? $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate[..8]}', from '{amzDate}'."
            : null;
    }

    private static bool TryReadRequestDate(HttpRequest http, out DateTimeOffset date, out string amzDate)
    {
        amzDate = http.Headers["X-Amz-Date"].ToString();
        if (amzDate.Length > 0)
        {
            return SigV4.TryParseDate(amzDate, out date);
        }

        if (DateTimeOffset.TryParseExact(http.Headers.Date.ToString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out date))
        {
            amzDate = Format(date);
            return true;
        }

        return false;
    }

    private static string RawPath(HttpRequest http)
    {
        var rawTarget = http.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget))
        {
            return http.PathBase + http.Path;
        }

        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? rawTarget : rawTarget[..query];
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(SigV4.DateFormat, CultureInfo.InvariantCulture);
}
