using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace IamKeyFunc.Reporting.Aws.Iam;

/// <summary>
/// Reads <c>GetAccountAuthorizationDetails</c>, <c>GetAccountSummary</c> and <c>ListUserTags</c> answers, shapes as in
/// the IAM model: lists are <c>&lt;member&gt;</c> elements, the summary map is <c>&lt;entry&gt;&lt;key/&gt;&lt;value/&gt;&lt;/entry&gt;</c>,
/// policy documents are URL-encoded JSON (RFC 3986).
/// </summary>
internal static class IamAuthorizationXml
{
    public static AuthorizationDetailsPage ParseAuthorizationDetails(XElement result)
    {
        var users = Members(result, "UserDetailList").Select(ParseUserDetail).ToList();
        var groups = Members(result, "GroupDetailList").Select(ParseGroupDetail).ToList();
        var policies = Members(result, "Policies").Select(ParseManagedPolicy).ToList();
        var paging = IamXml.Page(result, "UserDetailList", _ => 0);
        return new AuthorizationDetailsPage(users, groups, policies, paging.IsTruncated, paging.Marker);
    }

    public static IamAccountSummary ParseAccountSummary(XElement result)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in result.Child("SummaryMap")?.Elements().Where(e => e.LocalName() == "entry") ?? [])
        {
            if (entry.Text("key") is { Length: > 0 } key
                && long.TryParse(entry.Text("value"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                values[key] = value;
            }
        }

        return new IamAccountSummary(values);
    }

    public static IamPage<IamTag> ParseListUserTags(XElement result) => IamXml.Page(result, "Tags", ParseTag);

    /// <summary>
    /// A policy document as IAM sends it: URL-encoded JSON. A document that is already JSON (some emulators send it so)
    /// is returned as it is, because decoding it again would corrupt a literal <c>%</c>.
    /// </summary>
    public static string DecodeDocument(string document)
    {
        var trimmed = document.Trim();
        return trimmed.StartsWith('{') ? trimmed : Uri.UnescapeDataString(trimmed);
    }

    private static IamUserDetail ParseUserDetail(XElement member) => new(
        UserName: member.Required("UserName"),
        Arn: member.Required("Arn"),
        Path: member.Text("Path") ?? "/",
        GroupNames: [.. Members(member, "GroupList").Select(g => g.Value.Trim())],
        AttachedPolicies: [.. Members(member, "AttachedManagedPolicies").Select(ParseAttached)],
        InlinePolicies: [.. Members(member, "UserPolicyList").Select(ParseInline)],
        Tags: [.. Members(member, "Tags").Select(ParseTag)]);

    private static IamGroupDetail ParseGroupDetail(XElement member) => new(
        GroupName: member.Required("GroupName"),
        Arn: member.Text("Arn") ?? "",
        AttachedPolicies: [.. Members(member, "AttachedManagedPolicies").Select(ParseAttached)],
        InlinePolicies: [.. Members(member, "GroupPolicyList").Select(ParseInline)]);

    private static IamManagedPolicyDetail ParseManagedPolicy(XElement member)
    {
        var defaultVersionId = member.Text("DefaultVersionId");
        var versions = Members(member, "PolicyVersionList").ToList();
        var defaultVersion = versions.FirstOrDefault(v => string.Equals(v.Text("IsDefaultVersion"), "true", StringComparison.OrdinalIgnoreCase))
            ?? versions.FirstOrDefault(v => defaultVersionId is not null && v.Text("VersionId") == defaultVersionId);
        return new IamManagedPolicyDetail(
            PolicyName: member.Required("PolicyName"),
            Arn: member.Required("Arn"),
            DefaultDocument: defaultVersion?.Text("Document") is { Length: > 0 } document ? DecodeDocument(document) : null);
    }

    private static IamAttachedPolicy ParseAttached(XElement member) => new(member.Text("PolicyName") ?? "", member.Required("PolicyArn"));

    private static IamInlinePolicy ParseInline(XElement member) => new(
        member.Required("PolicyName"),
        member.Text("PolicyDocument") is { Length: > 0 } document
            ? DecodeDocument(document)
            : throw new XmlException($"Inline policy '{member.Text("PolicyName")}' has no <PolicyDocument>."));

    private static IamTag ParseTag(XElement member) => new(member.Required("Key"), member.Text("Value") ?? "");

    private static IEnumerable<XElement> Members(XElement element, string listName) =>
        element.Child(listName)?.Elements().Where(e => e.LocalName() == "member") ?? [];
}
