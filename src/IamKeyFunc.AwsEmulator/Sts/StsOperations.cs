using System.Globalization;
using System.Text.RegularExpressions;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.AwsEmulator.State;

namespace IamKeyFunc.AwsEmulator.Sts;

/// <summary>STS <c>AssumeRoleWithWebIdentity</c> (unsigned, JWT claims against the trust) and <c>AssumeRole</c> (signed, chaining).</summary>
internal sealed partial class StsOperations(EmulatorState state)
{
    private const int ChainedSessionLimitSeconds = 3600;
    private static readonly TimeSpan TokenExpirySkew = TimeSpan.FromMinutes(5);

    public QueryResponse AssumeRoleWithWebIdentity(QueryRequest request)
    {
        if (!request.TryRequire("RoleArn", out var roleArn, out var error)
            || !request.TryRequire("RoleSessionName", out var sessionName, out error)
            || !request.TryRequire("WebIdentityToken", out var token, out error)
            || !TryValidateSessionName(request, sessionName, out error)
            || !TryReadDuration(request, out var duration, out error))
        {
            return error!;
        }

        if (!TestJwt.TryReadClaims(token, out var claims))
        {
            return request.Error(400, "InvalidIdentityToken", "The web identity token is not a well-formed JWT.");
        }

        var oidc = state.Scenario.Oidc;
        if (!string.Equals(claims.Issuer, oidc.Issuer, StringComparison.Ordinal))
        {
            return request.Error(400, "InvalidIdentityToken", $"No OpenIDConnect provider found in your account for {claims.Issuer}");
        }

        var audience = claims.Audiences.FirstOrDefault(a => oidc.Audiences.Contains(a, StringComparer.Ordinal));
        if (audience is null)
        {
            return request.Error(400, "InvalidIdentityToken", "Incorrect token audience");
        }

        if (claims.Expires is not { } expires)
        {
            return request.Error(400, "InvalidIdentityToken", "The web identity token has no exp claim.");
        }

        if (request.Now > expires + TokenExpirySkew)
        {
            return request.Error(400, "ExpiredTokenException",
                $"Token expired: current date/time {request.Now.ToUnixTimeSeconds()} must be before the expiration date/time {expires.ToUnixTimeSeconds()}");
        }

        if (claims.NotBefore is { } notBefore && request.Now + TokenExpirySkew < notBefore)
        {
            return request.Error(400, "InvalidIdentityToken", "The web identity token is not valid yet (nbf).");
        }

        if (state.FindRole(roleArn) is not { } target
            || target.Role.WebIdentity is not { } trust
            || !string.Equals(trust.Audience, audience, StringComparison.Ordinal)
            || (trust.Subjects.Count > 0 && !trust.Subjects.Contains(claims.Subject ?? "", StringComparer.Ordinal)))
        {
            return request.Error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }

        if (duration > target.Role.MaxSessionDurationSeconds)
        {
            return request.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var session = Issue(request, target.Account, target.Role, sessionName, duration);
        var xml = request.Respond();
        AppendCredentials(xml, session, target.Role, sessionName);
        xml.Element("SubjectFromWebIdentityToken", claims.Subject).Element("Audience", audience).Element("Provider", claims.Issuer);
        return xml.Finish(request.RequestId);
    }

    public QueryResponse AssumeRole(QueryRequest request)
    {
        var caller = request.Session!;
        if (!request.TryRequire("RoleArn", out var roleArn, out var error)
            || !request.TryRequire("RoleSessionName", out var sessionName, out error)
            || !TryValidateSessionName(request, sessionName, out error)
            || !TryReadDuration(request, out var duration, out error))
        {
            return error!;
        }

        if (state.FindRole(roleArn) is not { } target || !Trusts(target.Role, caller))
        {
            return request.Error(403, "AccessDenied", $"User: {caller.AssumedRoleArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        }

        // The caller is always a role session here, so this is role chaining.
        if (duration > ChainedSessionLimitSeconds)
        {
            return request.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        if (duration > target.Role.MaxSessionDurationSeconds)
        {
            return request.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var session = Issue(request, target.Account, target.Role, sessionName, duration);
        var xml = request.Respond();
        AppendCredentials(xml, session, target.Role, sessionName);
        return xml.Finish(request.RequestId);
    }

    private static bool Trusts(EmulatorRole role, EmulatorSession caller) =>
        role.TrustedPrincipalArns.Any(p =>
            string.Equals(p, caller.RoleArn, StringComparison.OrdinalIgnoreCase)
            || string.Equals(p, $"arn:{caller.Partition}:iam::{caller.AccountId}:root", StringComparison.Ordinal));

    private EmulatorSession Issue(QueryRequest request, AccountState account, EmulatorRole role, string sessionName, int durationSeconds)
    {
        var lifetime = TimeSpan.FromSeconds(durationSeconds);
        if (state.Options.MaxSessionDuration is { } cap && cap < lifetime)
        {
            lifetime = cap;
        }

        var partition = account.Account.Partition;
        return state.Sessions.Issue(
            account.AccountId,
            partition,
            account.Account.RoleArn(role),
            $"arn:{partition}:sts::{account.AccountId}:assumed-role/{role.Name}/{sessionName}",
            request.Now + lifetime);
    }

    private static void AppendCredentials(XmlFragment xml, EmulatorSession session, EmulatorRole role, string sessionName) =>
        xml.Open("Credentials")
            .Element("AccessKeyId", session.AccessKeyId)
            .Element("SecretAccessKey", session.SecretAccessKey)
            .Element("SessionToken", session.SessionToken)
            .Element("Expiration", session.Expiration)
            .Close("Credentials")
            .Open("AssumedRoleUser")
            .Element("AssumedRoleId", $"{role.RoleId}:{sessionName}")
            .Element("Arn", session.AssumedRoleArn)
            .Close("AssumedRoleUser");

    private static bool TryValidateSessionName(QueryRequest request, string sessionName, out QueryResponse? error)
    {
        error = SessionNameRegex().IsMatch(sessionName)
            ? null
            : request.ValidationError(
                $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64");
        return error is null;
    }

    private static bool TryReadDuration(QueryRequest request, out int duration, out QueryResponse? error)
    {
        duration = 3600;
        error = null;
        if (request.Get("DurationSeconds") is not { } raw)
        {
            return true;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out duration) || duration is < 900 or > 43200)
        {
            error = request.ValidationError(
                $"1 validation error detected: Value '{raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
            return false;
        }

        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9_+=,.@-]{2,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNameRegex();
}
