
namespace IamKeyFunc.Reporting.Configuration;

/// <summary>One account a run reaches and the role it assumes there.</summary>
/// <param name="AccountId">The 12-digit account ID.</param>
/// <param name="RoleArn">The role assumed in that account.</param>
/// <param name="IsCentral">True for the central account (<see cref="AwsOptions.RoleArn"/>, web identity); false for a chained member.</param>
public sealed record AwsRoleTarget(string AccountId, string RoleArn, bool IsCentral)
{
    private static readonly char[] Separators = [',', ';', ' ', '\t', '\r', '\n'];

    /// <summary>
    /// The run's targets from the options, in order: the central account (if <see cref="AwsOptions.IncludeCentralAccount"/>),
    /// then <see cref="AwsOptions.MemberAccountIds"/> (role <c>arn:{partition}:iam::{id}:role/{MemberRoleName}</c>), then
    /// <see cref="AwsOptions.MemberRoleArns"/>; one target per account (the first wins). Every problem is reported in
    /// <paramref name="errors"/>, naming the setting.
    /// </summary>
    public static IReadOnlyList<AwsRoleTarget> Resolve(AwsOptions options, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var targets = new List<AwsRoleTarget>();
        if (!AwsArn.TryParseRole(options.RoleArn, out var central))
        {
            problems.Add($"IamKey:Aws:RoleArn '{options.RoleArn}' is not an IAM role ARN (arn:aws:iam::111122223333:role/IamKeyFuncReader).");
            errors = problems;
            return targets;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string accountId, string roleArn, bool isCentral)
        {
            if (seen.Add(accountId))
            {
                targets.Add(new AwsRoleTarget(accountId, roleArn, isCentral));
            }
        }

        if (options.IncludeCentralAccount)
        {
            Add(central!.AccountId, central.Value, isCentral: true);
        }

        foreach (var id in Split(options.MemberAccountIds))
        {
            if (Records.AccountId.IsValid(id))
            {
                Add(id, $"arn:{central!.Partition}:iam::{id}:role/{options.MemberRoleName}", isCentral: false);
            }
            else
            {
                problems.Add($"IamKey:Aws:MemberAccountIds contains '{id}': expected 12-digit account IDs.");
            }
        }

        foreach (var value in Split(options.MemberRoleArns))
        {
            if (!AwsArn.TryParseRole(value, out var member))
            {
                problems.Add($"IamKey:Aws:MemberRoleArns contains '{value}': expected IAM role ARNs such as arn:aws:iam::111122223333:role/IamKeyFuncMember.");
            }
            else if (member!.Partition != central!.Partition)
            {
                problems.Add($"IamKey:Aws:MemberRoleArns contains '{value}' in partition {member.Partition}, but IamKey:Aws:RoleArn is in partition {central.Partition}: every account must be in the central role's partition.");
            }
            else
            {
                Add(member.AccountId, member.Value, isCentral: false);
            }
        }

        if (problems.Count == 0 && targets.Count == 0)
        {
            problems.Add("IamKey:Aws:IncludeCentralAccount is false and no IamKey:Aws:MemberAccountIds or IamKey:Aws:MemberRoleArns are set: there is no account to inventory.");
        }

        errors = problems;
        return targets;
    }

    internal static IEnumerable<string> Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
