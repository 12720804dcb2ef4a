using IamKeyFunc.AwsEmulator.State;
using IamKeyFunc.AwsEmulator.Protocol;

namespace IamKeyFunc.AwsEmulator.Iam;

/// <summary>The six IAM operations, acting on the account of the calling session.</summary>
internal sealed class IamOperations(EmulatorState state)
{
    public QueryResponse ListUsers(QueryRequest request, AccountState account)
    {
        var prefix = request.Get("PathPrefix") ?? "/";
        if (!prefix.StartsWith('/'))
        {
            return request.ValidationError($"1 validation error detected: Value '{prefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*");
        }

        var users = account.UsersWithPathPrefix(prefix);
        if (!state.Pager.TryPage(request, users.Length, $"{account.AccountId}|ListUsers|{prefix}", out var page, out var error))
        {
            return error!;
        }

        var xml = request.Respond();
        xml.Open("Users");
        for (var i = page.Start; i < page.Start + page.Count; i++)
        {
            xml.Raw(users[i].MemberXml);
        }

        xml.Close("Users").Element("IsTruncated", page.IsTruncated).Element("Marker", page.NextMarker);
        return xml.Finish(request.RequestId);
    }

    public QueryResponse ListAccessKeys(QueryRequest request, AccountState account)
    {
        var userName = request.Get("UserName");
        if (string.IsNullOrEmpty(userName))
        {
            return request.ValidationError("Must specify userName when calling with non-User credentials");
        }

        if (account.FindUser(userName) is not { } user)
        {
            return request.Error(404, "NoSuchEntity", $"The user with name {userName} cannot be found.");
        }

        if (!state.Pager.TryPage(request, user.Keys.Length, $"{account.AccountId}|ListAccessKeys|{user.User.UserId}", out var page, out var error))
        {
            return error!;
        }

        var xml = request.Respond();
        xml.Open("AccessKeyMetadata");
        for (var i = page.Start; i < page.Start + page.Count; i++)
        {
            xml.Raw(user.KeyMemberXml[i]);
        }

        xml.Close("AccessKeyMetadata").Element("IsTruncated", page.IsTruncated).Element("Marker", page.NextMarker);
        return xml.Finish(request.RequestId);
    }

    public QueryResponse GetAccessKeyLastUsed(QueryRequest request, AccountState account)
    {
        if (!request.TryRequire("AccessKeyId", out var accessKeyId, out var missing))
        {
            return missing!;
        }

        if (account.FindKey(accessKeyId) is not { } hit)
        {
            return request.Error(404, "NoSuchEntity", $"The Access Key with id {accessKeyId} cannot be found");
        }

        var lastUsed = hit.Key.LastUsed;
        var xml = request.Respond();
        xml.Element("UserName", hit.User.User.UserName)
            .Open("AccessKeyLastUsed")
            .Element("LastUsedDate", lastUsed?.Date)
            .Element("ServiceName", lastUsed is { ServiceName.Length: > 0 } ? lastUsed.ServiceName : "N/A")
            .Element("Region", lastUsed?.Region ?? "N/A")
            .Close("AccessKeyLastUsed");
        return xml.Finish(request.RequestId);
    }

    public QueryResponse GenerateCredentialReport(QueryRequest request, AccountState account)
    {
        var options = state.Options;
        var (reportState, description) = account.CredentialReport.Generate(request.Now, options.CredentialReportDelay, options.CredentialReportMaxAge);
        var xml = request.Respond();
        xml.Element("State", reportState).Element("Description", description);
        return xml.Finish(request.RequestId);
    }

    public QueryResponse GetCredentialReport(QueryRequest request, AccountState account)
    {
        var options = state.Options;
        var lastRotatedForInactive = options.ReportLastRotatedForInactiveKeys;
        var report = account.CredentialReport.Get(request.Now, options.CredentialReportMaxAge, _ => CredentialReportCsv.Render(account, lastRotatedForInactive));
        switch (report.Status)
        {
            case ReportStatus.NotPresent:
                return request.Error(410, "ReportNotPresent", "Unable to find a credential report for this account. Call GenerateCredentialReport to create one.");
            case ReportStatus.InProgress:
                return request.Error(404, "ReportInProgress", "The credential report is still being generated.");
            case ReportStatus.Expired:
                return request.Error(410, "ReportExpired", "The credential report has expired. To generate a new credential report, use GenerateCredentialReport.");
        }

        var xml = request.Respond();
        xml.Element("Content", report.Base64Content).Element("ReportFormat", "text/csv").Element("GeneratedTime", report.GeneratedTime);
        return xml.Finish(request.RequestId);
    }

    public QueryResponse ListAccountAliases(QueryRequest request, AccountState account)
    {
        var alias = account.Account.Alias;
        if (!state.Pager.TryPage(request, alias is null ? 0 : 1, $"{account.AccountId}|ListAccountAliases", out var page, out var error))
        {
            return error!;
        }

        var xml = request.Respond();
        xml.Open("AccountAliases");
        if (page.Count > 0)
        {
            xml.Element("member", alias);
        }

        xml.Close("AccountAliases").Element("IsTruncated", page.IsTruncated).Element("Marker", page.NextMarker);
        return xml.Finish(request.RequestId);
    }
}
