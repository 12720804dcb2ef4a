using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Errors;

namespace IamKeyFunc.Reporting.Runs;

/// <summary>
/// A member account whose role could not be assumed (missing, or not trusting the reader role) says which role and what
/// deploys it, at the start of its <c>ErrorMessage</c> (the STS text after it is shortened to fit <see cref="SafeError.MaxMessageLength"/>): discovered accounts are only as
/// covered as the member StackSet's targets.
/// </summary>
internal static class MemberRoleHint
{
    /// <summary>The StackSet name the deployment guide (<c>infra/README.md</c>) uses for <c>infra/aws/member-account.yaml</c>.</summary>
    public const string StackSetName = "iamkeyfunc-member";

    private static string Hint(string roleName) =>
        $"Member role {roleName} cannot be assumed (missing, or not trusting the reader role): deploy it with the StackSet {StackSetName}.";

    public static AccountIssue Apply(AccountIssue issue, Exception exception, AwsAccountSession session)
    {
        var cause = exception is AccountCollectionException { InnerException: { } inner } ? inner : exception;
        if (session.IsCentral || cause is not AwsFederationException federation || federation.RoleArn != session.RoleArn
            || !AwsArn.TryParseRole(session.RoleArn, out var role))
        {
            return issue;
        }

        var hint = Hint(role!.RoleName);
        return issue with { Message = $"{hint} {SafeError.Shorten(issue.Message, SafeError.MaxMessageLength - hint.Length - 1)}" };
    }
}
