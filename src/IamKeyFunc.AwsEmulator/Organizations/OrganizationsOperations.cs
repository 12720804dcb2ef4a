using IamKeyFunc.AwsEmulator.State;
using System.Text.Json;
using System.Text.RegularExpressions;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.Scenario;

namespace IamKeyFunc.AwsEmulator.Organizations;

/// <summary>
/// The Organizations read operations of the 2016-11-28 model. Only the management account and registered delegated
/// administrators may call them (<c>AccessDeniedException</c>); an account outside any organization gets
/// <c>AWSOrganizationsNotInUseException</c>. Lists page with <c>MaxResults</c> (1–20) and opaque <c>NextToken</c>s.
/// </summary>
internal sealed partial class OrganizationsOperations(EmulatorState state)
{
    private const int MaxResultsLimit = 20;

    public QueryResponse DescribeOrganization(JsonRequest request)
    {
        if (Authorize(request) is { } denied)
        {
            return denied;
        }

        var org = state.Scenario.Organization!;
        var management = state.Scenario.Account(org.ManagementAccountId);
        var prefix = org.ArnPrefix(state.Scenario);
        return request.Ok(w =>
        {
            w.WriteStartObject("Organization");
            w.WriteString("Id", org.Id);
            w.WriteString("Arn", $"{prefix}:organization/{org.Id}");
            w.WriteString("FeatureSet", org.FeatureSet);
            w.WriteString("MasterAccountArn", $"{prefix}:account/{org.Id}/{management.AccountId}");
            w.WriteString("MasterAccountId", management.AccountId);
            w.WriteString("MasterAccountEmail", management.EffectiveEmail);
            w.WriteStartArray("AvailablePolicyTypes");
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public QueryResponse ListRoots(JsonRequest request)
    {
        if (Authorize(request) is { } denied)
        {
            return denied;
        }

        var org = state.Scenario.Organization!;
        var prefix = org.ArnPrefix(state.Scenario);
        return Paged(request, "Roots", [org], $"roots|{org.Id}", (w, _) =>
        {
            w.WriteString("Id", org.RootId);
            w.WriteString("Arn", $"{prefix}:root/{org.Id}/{org.RootId}");
            w.WriteString("Name", org.RootName);
            w.WriteStartArray("PolicyTypes");
            w.WriteEndArray();
        });
    }

    public QueryResponse ListOrganizationalUnitsForParent(JsonRequest request)
    {
        if ((Authorize(request) ?? RequireParent(request)) is { } error)
        {
            return error;
        }

        var parentId = request.GetString("ParentId");
        var org = state.Scenario.Organization!;
        var prefix = org.ArnPrefix(state.Scenario);
        var units = org.OrganizationalUnits.Where(o => o.ParentId == parentId).ToList();
        return Paged(request, "OrganizationalUnits", units, $"ous|{parentId}", (w, unit) =>
        {
            w.WriteString("Id", unit.Id);
            w.WriteString("Arn", $"{prefix}:ou/{org.Id}/{unit.Id}");
            w.WriteString("Name", unit.Name);
            w.WriteString("Path", IdPath(org, unit.Id));
        });
    }

    public QueryResponse ListAccountsForParent(JsonRequest request)
    {
        if ((Authorize(request) ?? RequireParent(request)) is { } error)
        {
            return error;
        }

        var parentId = request.GetString("ParentId");
        var org = state.Scenario.Organization!;
        var accounts = state.Scenario.Accounts.Where(a => (a.ParentId ?? org.RootId) == parentId).ToList();
        return Paged(request, "Accounts", accounts, $"accounts|{parentId}", (w, account) => WriteAccount(w, org, account));
    }

    public QueryResponse ListAccounts(JsonRequest request)
    {
        if (Authorize(request) is { } denied)
        {
            return denied;
        }

        var org = state.Scenario.Organization!;
        return Paged(request, "Accounts", state.Scenario.Accounts, "accounts|*", (w, account) => WriteAccount(w, org, account));
    }

    public QueryResponse ListTagsForResource(JsonRequest request)
    {
        if (Authorize(request) is { } denied)
        {
            return denied;
        }

        var resourceId = request.GetString("ResourceId");
        if (string.IsNullOrEmpty(resourceId))
        {
            return request.InvalidInput("INPUT_REQUIRED", "You must specify a value for ResourceId.");
        }

        if (!TaggableResourceIdRegex().IsMatch(resourceId))
        {
            return request.InvalidInput("INVALID_PATTERN", "The ResourceId you specified is not valid.");
        }

        var org = state.Scenario.Organization!;
        Dictionary<string, string>? tags = state.Scenario.Accounts.FirstOrDefault(a => a.AccountId == resourceId)?.Tags;
        if (tags is null && (resourceId == org.RootId || org.OrganizationalUnits.Any(o => o.Id == resourceId)))
        {
            tags = [];
        }

        if (tags is null)
        {
            return request.Error("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.");
        }

        var ordered = tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        return Paged(request, "Tags", ordered, $"tags|{resourceId}", (w, tag) =>
        {
            w.WriteString("Key", tag.Key);
            w.WriteString("Value", tag.Value);
        });
    }

    /// <summary>The organization check every operation makes first.</summary>
    private QueryResponse? Authorize(JsonRequest request)
    {
        var org = state.Scenario.Organization;
        var caller = request.Session.AccountId;
        if (org is null)
        {
            return request.Error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
        }

        return caller == org.ManagementAccountId || org.DelegatedAdministrators.Contains(caller, StringComparer.Ordinal)
            ? null
            : request.Error("AccessDeniedException", "You don't have permissions to access this resource.");
    }

    private QueryResponse? RequireParent(JsonRequest request)
    {
        var parentId = request.GetString("ParentId") ?? "";
        if (parentId.Length == 0)
        {
            return request.InvalidInput("INPUT_REQUIRED", "You must specify a value for ParentId.");
        }

        if (!ParentIdRegex().IsMatch(parentId))
        {
            return request.InvalidInput("INVALID_PATTERN", "The ParentId you specified is not valid.");
        }

        var org = state.Scenario.Organization!;
        return parentId == org.RootId || org.OrganizationalUnits.Any(o => o.Id == parentId)
            ? null
            : request.Error("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.");
    }

    private QueryResponse Paged<T>(JsonRequest request, string member, IReadOnlyList<T> items, string listContext, Action<Utf8JsonWriter, T> write)
    {
        var maxResults = state.Options.OrganizationsMaxPageSize;
        if (request.Input.TryGetProperty("MaxResults", out var raw) && raw.ValueKind != JsonValueKind.Null)
        {
            if (raw.ValueKind != JsonValueKind.Number || !raw.TryGetInt32(out maxResults))
            {
                return request.Error("SerializationException", "MaxResults must be a whole number.");
            }

            if (maxResults is < 1 or > MaxResultsLimit)
            {
                return request.InvalidInput(maxResults < 1 ? "MIN_VALUE_EXCEEDED" : "MAX_VALUE_EXCEEDED", $"MaxResults must be between 1 and {MaxResultsLimit}.");
            }
        }

        maxResults = Math.Min(maxResults, state.Options.OrganizationsMaxPageSize);
        string? token = null;
        if (request.Input.TryGetProperty("NextToken", out var rawToken) && rawToken.ValueKind != JsonValueKind.Null)
        {
            token = rawToken.ValueKind == JsonValueKind.String ? rawToken.GetString() : "";
        }

        // Tokens are bound to the list and the caller's account: a token of one parent does not page another.
        if (!state.Pager.TryPage(token, maxResults, items.Count, $"{request.Operation}|{request.Session.AccountId}|{listContext}", out var page))
        {
            return request.InvalidInput("INVALID_NEXT_TOKEN", "The specified NextToken is not valid.");
        }

        return request.Ok(w =>
        {
            w.WriteStartArray(member);
            for (var i = page.Start; i < page.Start + page.Count; i++)
            {
                w.WriteStartObject();
                write(w, items[i]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (page.NextMarker is { } next)
            {
                w.WriteString("NextToken", next);
            }
        });
    }

    private void WriteAccount(Utf8JsonWriter w, EmulatorOrganization org, EmulatorAccount account)
    {
        w.WriteString("Id", account.AccountId);
        w.WriteString("Arn", $"{org.ArnPrefix(state.Scenario)}:account/{org.Id}/{account.AccountId}");
        w.WriteString("Email", account.EffectiveEmail);
        w.WriteString("Name", account.EffectiveName);
        w.WriteString("Status", account.State switch
        {
            "CLOSED" => "SUSPENDED",
            "PENDING_ACTIVATION" => "ACTIVE",
            var state => state,
        });
        w.WriteString("State", account.State);
        w.WriteString("JoinedMethod", account.AccountId == org.ManagementAccountId ? "CREATED" : "INVITED");
        w.WriteNumber("JoinedTimestamp", account.CreateDate.ToUnixTimeMilliseconds() / 1000.0);
    }

    /// <summary>The model's OU <c>Path</c>: <c>o-…/r-…/ou-…/ou-…/</c>.</summary>
    private static string IdPath(EmulatorOrganization org, string unitId)
    {
        var ids = new List<string>();
        for (var id = unitId; id != org.RootId; id = org.OrganizationalUnits.First(o => o.Id == id).ParentId)
        {
            ids.Add(id);
        }

        ids.Add(org.RootId);
        ids.Add(org.Id);
        ids.Reverse();
        return string.Join('/', ids) + "/";
    }

    [GeneratedRegex(@"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", RegexOptions.CultureInvariant)]
    private static partial Regex ParentIdRegex();

    [GeneratedRegex(@"^((r-[0-9a-z]{4,32})|(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}))$", RegexOptions.CultureInvariant)]
    private static partial Regex TaggableResourceIdRegex();
}
