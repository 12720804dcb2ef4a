using System.Globalization;
using System.Text.Json;
using IamKeyFunc.Reporting.Aws.Pipeline;

namespace IamKeyFunc.Reporting.Aws.Organizations;

/// <summary>
/// The AWS Organizations read operations over JSON 1.1 (<c>X-Amz-Target: AWSOrganizationsV20161128.{Operation}</c>) on
/// the shared signed request pipeline, which paces, retries (<c>TooManyRequestsException</c> is throttling), refreshes
/// on <c>ExpiredTokenException</c> and redacts. Lists follow <c>NextToken</c> to the end with <c>MaxResults</c> 20 (the
/// model's maximum); a list that answers the token it was sent fails with <c>RepeatedNextToken</c> instead of looping.
/// Failures surface as <see cref="OrganizationsException"/>.
/// </summary>
public class OrganizationsClient
{
    /// <summary>JSON 1.1 with the 2016-11-28 target prefix; failures become <see cref="OrganizationsException"/>.</summary>
    internal static readonly AwsJson11Protocol Protocol = new(
        "Organizations",
        "AWSOrganizationsV20161128",
        (failure, message) => new OrganizationsException(message, failure.Code, failure.Status, failure.RequestId, failure.Operation, failure.Attempts, failure.Exception));

    /// <summary>The model's largest <c>MaxResults</c>.</summary>
    public const int PageSize = 20;

    private readonly AwsRequestPipeline _pipeline;

    /// <summary>Every operation this client calls: the discovery role grants exactly these (<c>infra/aws/discovery-role.yaml</c>).</summary>
    public static IReadOnlyList<string> Operations { get; } =
        ["DescribeOrganization", "ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent", "ListTagsForResource"];

    public OrganizationsClient(AwsRequestPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <summary>Calls, throttled answers and retries so far (per operation).</summary>
    public AwsCallStats Stats => _pipeline.Stats;

    public virtual async Task<OrganizationInfo> DescribeOrganizationAsync(CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeOrganization", _ => { }, cancellationToken).ConfigureAwait(false);
        if (!answer.TryGetProperty("Organization", out var org) || org.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("DescribeOrganization", "the answer has no Organization object");
        }

        return new OrganizationInfo(
            Required(org, "Id", "DescribeOrganization"),
            String(org, "MasterAccountId") ?? "",
            String(org, "FeatureSet") ?? "");
    }

    public virtual Task<IReadOnlyList<OrganizationParent>> ListRootsAsync(CancellationToken cancellationToken) =>
        ListAsync("ListRoots", null, "Roots", paged: true, ReadParent, cancellationToken);

    public virtual Task<IReadOnlyList<OrganizationParent>> ListOrganizationalUnitsForParentAsync(string parentId, CancellationToken cancellationToken) =>
        ListAsync("ListOrganizationalUnitsForParent", ("ParentId", parentId), "OrganizationalUnits", paged: true, ReadParent, cancellationToken);

    public virtual Task<IReadOnlyList<OrganizationAccount>> ListAccountsForParentAsync(string parentId, CancellationToken cancellationToken) =>
        ListAsync("ListAccountsForParent", ("ParentId", parentId), "Accounts", paged: true, ReadAccount, cancellationToken);

    /// <summary>Every tag of an account, OU or root (the operation pages with <c>NextToken</c> only).</summary>
    public virtual async Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string resourceId, CancellationToken cancellationToken)
    {
        var tags = await ListAsync(
            "ListTagsForResource", ("ResourceId", resourceId), "Tags", paged: false,
            (tag, operation) => KeyValuePair.Create(Required(tag, "Key", operation), String(tag, "Value") ?? ""),
            cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }

        return result;
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(
        string operation,
        (string Name, string Value)? argument,
        string resultKey,
        bool paged,
        Func<JsonElement, string, T> read,
        CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var sent = token;
            var answer = await CallAsync(
                operation,
                writer =>
                {
                    if (argument is { } a)
                    {
                        writer.WriteString(a.Name, a.Value);
                    }

                    if (paged)
                    {
                        writer.WriteNumber("MaxResults", PageSize);
                    }

                    if (sent is not null)
                    {
                        writer.WriteString("NextToken", sent);
                    }
                },
                cancellationToken).ConfigureAwait(false);

            if (answer.TryGetProperty(resultKey, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(list.EnumerateArray().Select(item => read(item, operation)));
            }
            else if (answer.TryGetProperty(resultKey, out var other) && other.ValueKind != JsonValueKind.Null)
            {
                throw Invalid(operation, $"{resultKey} is not a list");
            }

            token = String(answer, "NextToken") is { Length: > 0 } next ? next : null;
            if (token is not null && !tokens.Add(token))
            {
                throw new OrganizationsException(
                    $"Organizations {operation} failed for {_pipeline.AccountLabel}: the service answered a NextToken it had already sent, so the list would never end.",
                    OrganizationsErrorCodes.RepeatedNextToken, 200, operation: operation);
            }
        }
        while (token is not null);

        return items;
    }

    private async Task<JsonElement> CallAsync(string operation, Action<Utf8JsonWriter> members, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        var request = Protocol.Request(operation, System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        var response = await _pipeline.SendAsync(request, Protocol, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }

    private static OrganizationParent ReadParent(JsonElement item, string operation) =>
        new(Required(item, "Id", operation), String(item, "Name") ?? "");

    private static OrganizationAccount ReadAccount(JsonElement item, string operation) =>
        new(
            Required(item, "Id", operation),
            String(item, "Name") ?? "",
            String(item, "Email"),
            String(item, "State") ?? String(item, "Status") ?? "UNKNOWN",
            Timestamp(item, "JoinedTimestamp"));

    /// <summary>JSON 1.1 timestamps are epoch seconds (possibly fractional); an ISO 8601 string is accepted too.</summary>
    private static DateTimeOffset? Timestamp(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds is > 0 and < 253402300800)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        }

        return value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    private static string? String(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Required(JsonElement item, string name, string operation) =>
        String(item, name) is { Length: > 0 } value ? value : throw Invalid(operation, $"an item has no {name}");

    private static OrganizationsException Invalid(string operation, string why) =>
        new($"Organizations {operation} answered something we cannot read: {why}.", AwsPipelineErrorCodes.InvalidResponse, 200, operation: operation);
}
