namespace IamKeyFunc.AwsEmulator.Scenario;

/// <summary>An IAM group: its members are the users that name it in <see cref="EmulatorUser.GroupNames"/>.</summary>
public sealed class EmulatorGroup
{
    public string GroupName { get; set; } = "";

    public string Path { get; set; } = "/";

    /// <summary>The stable group ID, <c>AGPA…</c>.</summary>
    public string GroupId { get; set; } = "";

    public DateTimeOffset CreateDate { get; set; }

    /// <summary>Managed policies attached to the group: customer managed (<see cref="EmulatorAccount.ManagedPolicies"/>) or AWS managed (<see cref="AwsManagedPolicies"/>).</summary>
    public List<string> AttachedPolicyArns { get; set; } = [];

    public List<EmulatorInlinePolicy> InlinePolicies { get; set; } = [];
}

/// <summary>An inline policy of a user or a group: a name and a JSON document.</summary>
public sealed class EmulatorInlinePolicy
{
    public string PolicyName { get; set; } = "";

    /// <summary>The policy as plain JSON; IAM sends it URL-encoded.</summary>
    public string Document { get; set; } = "";
}

/// <summary>A customer managed policy with its versions.</summary>
public sealed class EmulatorManagedPolicy
{
    public string PolicyName { get; set; } = "";

    public string Path { get; set; } = "/";

    /// <summary>The stable policy ID, <c>ANPA…</c>.</summary>
    public string PolicyId { get; set; } = "";

    public DateTimeOffset CreateDate { get; set; }

    /// <summary>Versions <c>v1</c>, <c>v2</c>, …; one of them is the default.</summary>
    public List<EmulatorPolicyVersion> Versions { get; set; } = [];
}

/// <summary>One version of a managed policy.</summary>
public sealed class EmulatorPolicyVersion
{
    public string VersionId { get; set; } = "v1";

    public bool IsDefaultVersion { get; set; } = true;

    public string Document { get; set; } = "";

    public DateTimeOffset CreateDate { get; set; }
}

/// <summary>A tag of a user.</summary>
public sealed class EmulatorTag
{
    public string Key { get; set; } = "";

    public string Value { get; set; } = "";
}

/// <summary>The AWS managed policies the emulator knows, with their real documents (default versions, abridged where AWS's is long).</summary>
public static class AwsManagedPolicies
{
    public const string AdministratorAccess = "AdministratorAccess";
    public const string ReadOnlyAccess = "ReadOnlyAccess";
    public const string IamFullAccess = "IAMFullAccess";
    public const string PowerUserAccess = "PowerUserAccess";

    private static readonly Dictionary<string, (string Id, string Version, string Document)> Catalog = new(StringComparer.Ordinal)
    {
        [AdministratorAccess] = ("ANPAIWMBCKSKIEE64ZLYK", "v1",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"""),
        [ReadOnlyAccess] = ("ANPAILL3HVNFSB6DCOWYQ", "v118",
            """{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnlyActions","Effect":"Allow","Action":["iam:Get*","iam:List*","s3:Get*","s3:List*","ec2:Describe*"],"Resource":"*"}]}"""),
        [IamFullAccess] = ("ANPAI7XKCFMBPM3QQRRVQ", "v2",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"""),
        [PowerUserAccess] = ("ANPAJYRXTHIB4FOVS3ZXS", "v5",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}"""),
    };

    /// <summary>The ARN of an AWS managed policy in <paramref name="partition"/>.</summary>
    public static string Arn(string name, string partition = "aws") => $"arn:{partition}:iam::aws:policy/{name}";

    internal static bool TryGet(string arn, out string name, out string policyId, out string versionId, out string document)
    {
        name = arn[(arn.LastIndexOf('/') + 1)..];
        var isAws = arn.Contains(":iam::aws:policy/", StringComparison.Ordinal);
        if (isAws && Catalog.TryGetValue(name, out var entry))
        {
            (policyId, versionId, document) = entry;
            return true;
        }

        (policyId, versionId, document) = ("", "", "");
        return false;
    }
}
