using IamKeyFunc.AwsEmulator.State;
using System.Globalization;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.Iam;

/// <summary>
/// <c>GetAccountAuthorizationDetails</c>, <c>GetAccountSummary</c> and <c>ListUserTags</c>, shapes as in the IAM model.
/// Authorization details page over users, then groups, then roles, then policies (in that order, as IAM does), with
/// <c>Filter.member.N</c> choosing the entity types (all when absent) and policy documents URL-encoded (RFC 3986).
/// Only AWS managed policies attached to something in the account are listed.
/// </summary>
internal sealed class AuthorizationOperations(EmulatorState state)
{
    private static readonly string[] EntityTypes = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

    public QueryResponse GetAccountAuthorizationDetails(QueryRequest request, AccountState account)
    {
        var filter = new List<string>();
        for (var i = 1; request.Get(string.Create(CultureInfo.InvariantCulture, $"Filter.member.{i}")) is { } entity; i++)
        {
            if (!EntityTypes.Contains(entity, StringComparer.Ordinal))
            {
                return request.ValidationError(
                    $"1 validation error detected: Value '[{entity}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{string.Join(", ", EntityTypes)}]]");
            }

            filter.Add(entity);
        }

        var wanted = filter.Count == 0 ? EntityTypes : [.. filter];
        var entities = Entities(account.Account, wanted);
        var context = $"{account.AccountId}|GetAccountAuthorizationDetails|{string.Join(',', wanted.Order(StringComparer.Ordinal))}";
        if (!state.Pager.TryPage(request, entities.Count, context, out var page, out var error))
        {
            return error!;
        }

        var slice = entities.Skip(page.Start).Take(page.Count).ToList();
        var xml = request.Respond();
        WriteList(xml, "UserDetailList", slice, EntityKind.User);
        WriteList(xml, "GroupDetailList", slice, EntityKind.Group);
        WriteList(xml, "RoleDetailList", slice, EntityKind.Role);
        WriteList(xml, "Policies", slice, EntityKind.Policy);
        xml.Element("IsTruncated", page.IsTruncated).Element("Marker", page.NextMarker);
        return xml.Finish(request.RequestId);
    }

    public QueryResponse GetAccountSummary(QueryRequest request, AccountState account)
    {
        var a = account.Account;
        var entries = new (string Key, int Value)[]
        {
            ("Users", a.Users.Count), ("UsersQuota", 5000), ("Groups", a.Groups.Count), ("GroupsQuota", 300),
            ("Roles", a.Roles.Count), ("RolesQuota", 1000), ("Policies", a.ManagedPolicies.Count), ("PoliciesQuota", 1500),
            ("AccessKeysPerUserQuota", 2), ("GroupsPerUserQuota", 10), ("AttachedPoliciesPerUserQuota", 10),
            ("MFADevices", a.Users.Count(u => u.MfaActive) + (a.RootMfaActive ? 1 : 0)),
            ("MFADevicesInUse", a.Users.Count(u => u.MfaActive) + (a.RootMfaActive ? 1 : 0)),
            ("AccountMFAEnabled", a.RootMfaActive ? 1 : 0),
            ("AccountAccessKeysPresent", a.RootAccessKeys.Count > 0 ? 1 : 0),
            ("AccountPasswordPresent", 1), ("AccountSigningCertificatesPresent", 0),
        };
        var xml = request.Respond();
        xml.Open("SummaryMap");
        foreach (var (key, value) in entries)
        {
            xml.Open("entry").Element("key", key).Element("value", value).Close("entry");
        }

        xml.Close("SummaryMap");
        return xml.Finish(request.RequestId);
    }

    public QueryResponse ListUserTags(QueryRequest request, AccountState account)
    {
        if (!request.TryRequire("UserName", out var userName, out var missing))
        {
            return missing!;
        }

        if (account.FindUser(userName) is not { } user)
        {
            return request.Error(404, "NoSuchEntity", $"The user with name {userName} cannot be found.");
        }

        var tags = user.User.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        if (!state.Pager.TryPage(request, tags.Count, $"{account.AccountId}|ListUserTags|{user.User.UserId}", out var page, out var error))
        {
            return error!;
        }

        var xml = request.Respond();
        xml.Open("Tags");
        foreach (var tag in tags.Skip(page.Start).Take(page.Count))
        {
            xml.Open("member").Element("Key", tag.Key).Element("Value", tag.Value).Close("member");
        }

        xml.Close("Tags").Element("IsTruncated", page.IsTruncated).Element("Marker", page.NextMarker);
        return xml.Finish(request.RequestId);
    }

    /// <summary>Every entity of the wanted types, rendered as its <c>&lt;member&gt;</c>, in IAM's list order.</summary>
    private static List<(EntityKind Kind, string Xml)> Entities(EmulatorAccount account, string[] wanted)
    {
        var result = new List<(EntityKind, string)>();
        if (wanted.Contains("User"))
        {
            result.AddRange(account.Users.Select(u => (EntityKind.User, UserXml(account, u))));
        }

        if (wanted.Contains("Group"))
        {
            result.AddRange(account.Groups.Select(g => (EntityKind.Group, GroupXml(account, g))));
        }

        if (wanted.Contains("Role"))
        {
            result.AddRange(account.Roles.Select(r => (EntityKind.Role, RoleXml(account, r))));
        }

        if (wanted.Contains("LocalManagedPolicy"))
        {
            result.AddRange(account.ManagedPolicies.Select(p => (EntityKind.Policy, LocalPolicyXml(account, p))));
        }

        if (wanted.Contains("AWSManagedPolicy"))
        {
            var attached = account.Users.SelectMany(u => u.AttachedPolicyArns).Concat(account.Groups.SelectMany(g => g.AttachedPolicyArns))
                .GroupBy(arn => arn, StringComparer.Ordinal);
            foreach (var arn in attached)
            {
                if (AwsManagedPolicies.TryGet(arn.Key, out var name, out var id, out var version, out var document))
                {
                    result.Add((EntityKind.Policy, PolicyXml(name, id, arn.Key, "/", arn.Count(), account.CreateDate, [(version, true, document, account.CreateDate)])));
                }
            }
        }

        return result;
    }

    private static void WriteList(XmlFragment xml, string name, List<(EntityKind Kind, string Xml)> slice, EntityKind kind)
    {
        xml.Open(name);
        foreach (var entity in slice.Where(e => e.Kind == kind))
        {
            xml.Raw(entity.Xml);
        }

        xml.Close(name);
    }

    private static string UserXml(EmulatorAccount account, EmulatorUser user)
    {
        var xml = new XmlFragment().Open("member").Element("Path", user.Path).Element("UserName", user.UserName)
            .Element("UserId", user.UserId).Element("Arn", account.UserArn(user)).Element("CreateDate", user.CreateDate);
        Inline(xml, "UserPolicyList", user.InlinePolicies);
        xml.Open("GroupList");
        foreach (var group in user.GroupNames)
        {
            xml.Element("member", group);
        }

        xml.Close("GroupList");
        Attached(xml, user.AttachedPolicyArns);
        xml.Open("Tags");
        foreach (var tag in user.Tags)
        {
            xml.Open("member").Element("Key", tag.Key).Element("Value", tag.Value).Close("member");
        }

        return xml.Close("Tags").Close("member").ToString();
    }

    private static string GroupXml(EmulatorAccount account, EmulatorGroup group)
    {
        var xml = new XmlFragment().Open("member").Element("Path", group.Path).Element("GroupName", group.GroupName)
            .Element("GroupId", group.GroupId).Element("Arn", $"arn:{account.Partition}:iam::{account.AccountId}:group{group.Path}{group.GroupName}")
            .Element("CreateDate", group.CreateDate);
        Inline(xml, "GroupPolicyList", group.InlinePolicies);
        Attached(xml, group.AttachedPolicyArns);
        return xml.Close("member").ToString();
    }

    private static string RoleXml(EmulatorAccount account, EmulatorRole role) => new XmlFragment()
        .Open("member").Element("Path", role.Path).Element("RoleName", role.Name).Element("RoleId", role.RoleId)
        .Element("Arn", account.RoleArn(role)).Element("CreateDate", account.CreateDate)
        .Element("AssumeRolePolicyDocument", Uri.EscapeDataString("""{"Version":"2012-10-17","Statement":[]}"""))
        .Open("InstanceProfileList").Close("InstanceProfileList").Open("RolePolicyList").Close("RolePolicyList")
        .Open("AttachedManagedPolicies").Close("AttachedManagedPolicies").Open("Tags").Close("Tags")
        .Close("member").ToString();

    private static string LocalPolicyXml(EmulatorAccount account, EmulatorManagedPolicy policy)
    {
        var arn = $"arn:{account.Partition}:iam::{account.AccountId}:policy{policy.Path}{policy.PolicyName}";
        var attachments = account.Users.Count(u => u.AttachedPolicyArns.Contains(arn)) + account.Groups.Count(g => g.AttachedPolicyArns.Contains(arn));
        return PolicyXml(policy.PolicyName, policy.PolicyId, arn, policy.Path, attachments, policy.CreateDate,
            [.. policy.Versions.Select(v => (v.VersionId, v.IsDefaultVersion, v.Document, v.CreateDate))]);
    }

    private static string PolicyXml(
        string name, string id, string arn, string path, int attachments, DateTimeOffset created,
        IReadOnlyList<(string VersionId, bool IsDefault, string Document, DateTimeOffset CreateDate)> versions)
    {
        var xml = new XmlFragment().Open("member").Element("PolicyName", name).Element("PolicyId", id).Element("Arn", arn)
            .Element("Path", path).Element("DefaultVersionId", versions.FirstOrDefault(v => v.IsDefault).VersionId)
            .Element("AttachmentCount", attachments).Element("PermissionsBoundaryUsageCount", 0).Element("IsAttachable", true)
            .Element("CreateDate", created).Element("UpdateDate", versions.Count > 0 ? versions.Max(v => v.CreateDate) : created)
            .Open("PolicyVersionList");
        foreach (var version in versions)
        {
            xml.Open("member").Element("Document", Uri.EscapeDataString(version.Document)).Element("VersionId", version.VersionId)
                .Element("IsDefaultVersion", version.IsDefault).Element("CreateDate", version.CreateDate).Close("member");
        }

        return xml.Close("PolicyVersionList").Close("member").ToString();
    }

    private static void Inline(XmlFragment xml, string listName, List<EmulatorInlinePolicy> policies)
    {
        xml.Open(listName);
        foreach (var policy in policies)
        {
            xml.Open("member").Element("PolicyName", policy.PolicyName).Element("PolicyDocument", Uri.EscapeDataString(policy.Document)).Close("member");
        }

        xml.Close(listName);
    }

    private static void Attached(XmlFragment xml, List<string> arns)
    {
        xml.Open("AttachedManagedPolicies");
        foreach (var arn in arns)
        {
            var name = arn[(arn.LastIndexOf('/') + 1)..];
            xml.Open("member").Element("PolicyName", name).Element("PolicyArn", arn).Close("member");
        }

        xml.Close("AttachedManagedPolicies");
    }

    private enum EntityKind
    {
        User,
        Group,
        Role,
        Policy,
    }
}
