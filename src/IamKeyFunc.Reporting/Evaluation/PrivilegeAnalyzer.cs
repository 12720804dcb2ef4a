using System.Text.Json;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>What a key's user may do, from the account's authorization details.</summary>
/// <param name="AdminEquivalent"><c>AdministratorAccess</c> attached, or an <c>Allow</c> of <c>*</c> on <c>*</c>, directly, inline or through a group.</param>
/// <param name="CanManageCredentials">Allowed, on <c>*</c>, an IAM action that mints or changes credentials (<see cref="PrivilegeAnalyzer.CredentialActions"/>).</param>
/// <param name="PolicyNames">Comma-separated: attached and inline policies of the user, then <c>Group/Policy</c> for each group's.</param>
public sealed record UserPrivilege(bool AdminEquivalent, bool CanManageCredentials, string PolicyNames)
{
    /// <summary>The root user may do everything.</summary>
    public static UserPrivilege Root { get; } = new(true, true, "");
}

/// <summary>
/// Reads <c>GetAccountAuthorizationDetails</c> into a <see cref="UserPrivilege"/> per user. Only <c>Allow</c> statements are
/// read; <c>Deny</c> statements, conditions, permission boundaries and SCPs are not evaluated, so the flags say what the
/// policies grant, not what a request would be allowed: a conservative reading for triage. <c>NotAction</c> on <c>*</c>
/// grants every action it does not list. A document that cannot be parsed grants nothing.
/// </summary>
public static class PrivilegeAnalyzer
{
    /// <summary>IAM actions that create or change a user's credentials.</summary>
    public static IReadOnlyList<string> CredentialActions { get; } =
    [
        "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
        "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "iam:UpdateServiceSpecificCredential",
        "iam:UploadSigningCertificate", "iam:UpdateSigningCertificate", "iam:UploadSSHPublicKey", "iam:UpdateSSHPublicKey",
        "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:DeactivateMFADevice", "iam:ResyncMFADevice",
    ];

    private const string AdministratorAccess = "AdministratorAccess";

    public static IReadOnlyDictionary<string, UserPrivilege> Analyze(AccountAuthorizationDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var documents = details.Policies.Where(p => p.DefaultDocument is not null)
            .GroupBy(p => p.Arn, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().DefaultDocument!, StringComparer.Ordinal);
        var groups = details.Groups.GroupBy(g => g.GroupName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var grants = new Dictionary<string, Grant>(StringComparer.Ordinal);
        var result = new Dictionary<string, UserPrivilege>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in details.Users)
        {
            var names = new List<string>();
            var total = Grant.Nothing;
            foreach (var (prefix, attached, inline) in Sources(user, groups))
            {
                foreach (var policy in attached)
                {
                    names.Add(prefix + policy.PolicyName);
                    total |= IsAdministratorAccess(policy.PolicyArn)
                        ? Grant.Admin | Grant.Credentials
                        : documents.TryGetValue(policy.PolicyArn, out var document) ? Cached(document) : Grant.Nothing;
                }

                foreach (var policy in inline)
                {
                    names.Add(prefix + policy.PolicyName);
                    total |= Cached(policy.Document);
                }
            }

            result[user.UserName] = new UserPrivilege(total.HasFlag(Grant.Admin), total.HasFlag(Grant.Credentials), string.Join(',', names.Distinct(StringComparer.Ordinal)));
        }

        return result;

        Grant Cached(string document)
        {
            if (!grants.TryGetValue(document, out var grant))
            {
                grants[document] = grant = Read(document);
            }

            return grant;
        }
    }

    /// <summary>What one policy document grants on <c>*</c>.</summary>
    internal static Grant Read(string document)
    {
        try
        {
            using var json = JsonDocument.Parse(document);
            var grant = Grant.Nothing;
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("Statement", out var statements))
            {
                return grant;
            }

            foreach (var statement in statements.ValueKind == JsonValueKind.Array ? [.. statements.EnumerateArray()] : new[] { statements })
            {
                grant |= ReadStatement(statement);
            }

            return grant;
        }
        catch (JsonException)
        {
            return Grant.Nothing;
        }
    }

    private static Grant ReadStatement(JsonElement statement)
    {
        if (statement.ValueKind != JsonValueKind.Object
            || !string.Equals(Property(statement, "Effect")?.GetString(), "Allow", StringComparison.OrdinalIgnoreCase)
            || !Strings(Property(statement, "Resource")).Any(r => r == "*"))
        {
            return Grant.Nothing;
        }

        if (Property(statement, "Action") is { } actionElement)
        {
            var actions = Strings(actionElement).Select(a => Glob.TryParse(a, ignoreCase: true, out var g, out _) ? g : null).OfType<Glob>().ToList();
            var admin = actions.Any(a => a.Pattern is "*" or "*:*");
            var credentials = admin || CredentialActions.Any(c => actions.Any(a => a.IsMatch(c)));
            return (admin ? Grant.Admin : Grant.Nothing) | (credentials ? Grant.Credentials : Grant.Nothing);
        }

        if (Property(statement, "NotAction") is { } notActionElement)
        {
            var excluded = Strings(notActionElement).Select(a => Glob.TryParse(a, ignoreCase: true, out var g, out _) ? g : null).OfType<Glob>().ToList();
            return CredentialActions.Any(c => !excluded.Any(e => e.IsMatch(c))) ? Grant.Credentials : Grant.Nothing;
        }

        return Grant.Nothing;
    }

    private static IEnumerable<(string Prefix, IReadOnlyList<IamAttachedPolicy> Attached, IReadOnlyList<IamInlinePolicy> Inline)> Sources(
        IamUserDetail user, Dictionary<string, IamGroupDetail> groups)
    {
        yield return ("", user.AttachedPolicies, user.InlinePolicies);
        foreach (var name in user.GroupNames)
        {
            if (groups.TryGetValue(name, out var group))
            {
                yield return (group.GroupName + "/", group.AttachedPolicies, group.InlinePolicies);
            }
        }
    }

    private static bool IsAdministratorAccess(string arn) =>
        arn.EndsWith(":iam::aws:policy/" + AdministratorAccess, StringComparison.Ordinal);

    /// <summary>Policy element names are case-sensitive in IAM, but some tools write them otherwise; read them either way.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static IEnumerable<string> Strings(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } e => [e.GetString()!],
        { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!),
        _ => [],
    };

    [Flags]
    internal enum Grant
    {
        Nothing = 0,
        Admin = 1,
        Credentials = 2,
    }
}
