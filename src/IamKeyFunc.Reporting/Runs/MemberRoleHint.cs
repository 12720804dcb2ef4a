using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>
/// A member account whose role STS refused to let the reader assume (<c>AccessDenied</c> on <c>AssumeRole</c>: the role
/// is missing, or does not trust the reader role) says what deploys it, after STS's own text and advice: discovered
/// accounts are only as covered as the member StackSet's targets. Not for other errors of the same role (clock skew, an
/// expired or refused source session), where deploying the role would not help.
/// </summary>
internal static class MemberRoleHint
{
    /// <summary>The StackSet name the deployment guide (<c>infra/README.md</c>) uses for <c>infra/aws/member-account.yaml</c>.</summary>
    public const string StackSetName = "iamkeyfunc-member";

    /// <summary>STS's code for a role that does not exist or does not trust the caller.</summary>
    private const string AccessDenied = "AccessDenied";

    /// <summary>The hint for <paramref name="cause"/> in <paramref name="session"/>'s account, or null when it does not apply.</summary>
    public static string? For(Exception cause, AwsAccountSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return !session.IsCentral
            && cause is AwsFederationException { ErrorCode: AccessDenied, Operation: "AssumeRole" } federation
            && federation.RoleArn == session.RoleArn
            && AwsArn.TryParseRole(session.RoleArn, out var role)
            ? $"If the member role {role!.RoleName} is missing or does not trust the reader role, deploy it with the StackSet {StackSetName}."
            : null;
    }
}
