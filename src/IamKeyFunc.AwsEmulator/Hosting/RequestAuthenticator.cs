using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.State;
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
        error = Authenticate(http, body, request.Service, request.Now, request.Error, out var session);
        request.Session = session;
        return error is null;
    }

    /// <summary>
    /// The authentication error answered through <paramref name="fail"/> (status, Query error code, message), or null
    /// and the caller's <paramref name="authenticated"/> session.
    /// </summary>
    public QueryResponse? Authenticate(
        HttpRequest http, byte[] body, AwsService service, DateTimeOffset now, Func<int, string, string, QueryResponse> fail, out EmulatorSession? authenticated)
    {
        authenticated = null;
        var header = http.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return fail(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        }

        if (!SigV4.TryParseAuthorization(header, out var authorization, out var parseError))
        {
            return fail(400, "IncompleteSignature", parseError);
        }

        if (!authorization.SignedHeaders.Contains("host", StringComparer.Ordinal))
        {
            return fail(400, "IncompleteSignature", "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (!TryReadRequestDate(http, out var requestDate, out var amzDate))
        {
            return fail(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        if (state.Sessions.Find(authorization.AccessKeyId) is not { } session
            || !string.Equals(http.Headers["X-Amz-Security-Token"].ToString(), session.SessionToken, StringComparison.Ordinal))
        {
            return fail(403, "InvalidClientTokenId", InvalidToken);
        }

        if (now >= session.Expiration)
        {
            return fail(403, "ExpiredToken", "The security token included in the request is expired");
        }

        if (ScopeError(authorization, service, session, amzDate) is { } scopeError)
        {
            return fail(403, "SignatureDoesNotMatch", scopeError);
        }

        var skew = state.Options.MaxClockSkew;
        if (requestDate < now - skew)
        {
            return fail(403, "SignatureDoesNotMatch",
                $"Signature expired: {amzDate} is now earlier than {Format(now - skew)} ({Format(now)} - {skew.TotalMinutes:0} min.)");
        }

        if (requestDate > now + skew)
        {
            return fail(403, "SignatureDoesNotMatch",
                $"Signature not yet current: {amzDate} is still later than {Format(now + skew)} ({Format(now)} + {skew.TotalMinutes:0} min.)");
        }

        var payloadHash = SigV4.Sha256Hex(body);
        var declaredHash = http.Headers["x-amz-content-sha256"].ToString();
        if (declaredHash.Length > 0 && declaredHash != "UNSIGNED-PAYLOAD" && !string.Equals(declaredHash, payloadHash, StringComparison.OrdinalIgnoreCase))
        {
            return fail(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonicalRequest = SigV4.CanonicalRequest(http.Method, RawPath(http), http.QueryString.Value, http.Headers, authorization.SignedHeaders, payloadHash);
        var stringToSign = SigV4.StringToSign(amzDate, authorization.Scope, canonicalRequest);
        var expected = SigV4.Signature(session.SigningKey(authorization), stringToSign);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            return fail(403, "SignatureDoesNotMatch", SignatureMismatch);
        }

        authenticated = session;
        return null;
    }

    private string? ScopeError(SigV4Authorization authorization, AwsService service, EmulatorSession session, string amzDate)
    {
        if (authorization.Service != service.SigningName)
        {
            return $"Credential should be scoped to correct service: '{service.SigningName}'. ";
        }

        if (service == AwsService.Iam && state.FindAccount(session.AccountId) is { } account
            && authorization.Region != account.Account.EffectiveIamSigningRegion)
        {
            return $"Credential should be scoped to a valid region, not '{authorization.Region}'. ";
        }

        if (service == AwsService.Organizations && authorization.Region != OrganizationsSigningRegion(session.Partition))
        {
            return $"Credential should be scoped to a valid region, not '{authorization.Region}'. ";
        }

        return authorization.Date != amzDate[..8]
            ? $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate[..8]}', from '{amzDate}'."
            : null;
    }

    /// <summary>The region of the partition's Organizations endpoint (the endpoint rule set's <c>signingRegion</c>).</summary>
    internal static string OrganizationsSigningRegion(string partition) => partition switch
    {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    };

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
