using System.Text.RegularExpressions;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Parses IAM role ARNs: <c>arn:{partition}:iam::{account}:role/{path}{name}</c>.</summary>
public sealed partial record AwsArn(string Partition, string AccountId, string RoleName, string Value)
{
    public const string RolePattern = @"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(?:[\x21-\x7E]+/)?([\w+=,.@-]{1,64})$";

    public static bool TryParseRole(string? value, out AwsArn? arn)
    {
        arn = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var match = RoleRegex().Match(value.Trim());
        if (!match.Success)
        {
            return false;
        }

        arn = new AwsArn(match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, value.Trim());
        return true;
    }

    public static AwsArn ParseRole(string value) =>
        TryParseRole(value, out var arn) ? arn! : throw new FormatException($"'{value}' is not an IAM role ARN (arn:aws:iam::111122223333:role/Name).");

    public override string ToString() => Value;

    [GeneratedRegex(RolePattern, RegexOptions.CultureInvariant)]
    private static partial Regex RoleRegex();
}
