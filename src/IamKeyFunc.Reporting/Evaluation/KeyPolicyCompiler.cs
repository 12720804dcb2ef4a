using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// Turns <see cref="KeyPolicyOptions"/> (and the policy file it names) into <see cref="KeyPolicies"/>, or into the list
/// of problems, each naming the policy or exemption and the field (<c>IamKey:Policies:0 (ci): UserName ...</c>).
/// A policy must name the keys it covers: at least one match field with a value, and no blank one. The default
/// policy (<c>IamKey:Findings</c>) is the only catch-all, and it is implicit.
/// </summary>
public static partial class KeyPolicyCompiler
{
    /// <summary>The name of the policy built from <c>IamKey:Findings</c>; reserved.</summary>
    public const string DefaultPolicyName = "Default";

    /// <summary>How far ahead an exemption may expire.</summary>
    public static readonly TimeSpan MaxExemptionLength = TimeSpan.FromDays(365);

    /// <summary>The longest policy name (the records' <c>PolicyName</c>).</summary>
    public const int MaxNameLength = 128;

    /// <summary>The largest policy document read (thousands of policies fit in a fraction of it).</summary>
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    /// <summary>The fields that say which keys a policy covers, in the order they are checked and shown.</summary>
    public static IReadOnlyList<string> MatchFields { get; } =
    [
        nameof(KeyPolicyDefinition.AccountIds), nameof(KeyPolicyDefinition.OrganizationalUnitPath), nameof(KeyPolicyDefinition.OrganizationalUnitIds),
        nameof(KeyPolicyDefinition.AccountTags), nameof(KeyPolicyDefinition.UserPath), nameof(KeyPolicyDefinition.UserName), nameof(KeyPolicyDefinition.UserTags),
    ];

    private const string PolicyFileSetting = $"{KeyPolicyOptions.SectionName}:{nameof(KeyPolicyOptions.PolicyFile)}";

    public static KeyPolicies Compile(KeyPolicyOptions options, FindingsOptions findings, DateTimeOffset now) =>
        TryCompile(options, findings, now, out var policies, out var errors)
            ? policies!
            : throw new InvalidOperationException(string.Join(" ", errors));

    public static bool TryCompile(KeyPolicyOptions options, FindingsOptions findings, DateTimeOffset now, out KeyPolicies? policies, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        var problems = new List<string>();
        var settings = SettingPath.Section(KeyPolicyOptions.SectionName);
        var definitions = options.Policies.Select((p, i) => (Where: settings.Child(nameof(KeyPolicyOptions.Policies)).Entry(i).Text, Definition: p)).ToList();
        var exemptionDefinitions = options.Exemptions.Select((e, i) => (Where: settings.Child(nameof(KeyPolicyOptions.Exemptions)).Entry(i).Text, Definition: e)).ToList();
        if (!string.IsNullOrWhiteSpace(options.PolicyFile) && ReadDocument(options.PolicyFile, problems) is { } file)
        {
            var document = SettingPath.Document($"{PolicyFileSetting} ({options.PolicyFile})");
            definitions.AddRange(file.Policies.Select((p, i) => (document.Child(nameof(PolicyDocument.Policies)).Entry(i).Text, p)));
            exemptionDefinitions.AddRange(file.Exemptions.Select((e, i) => (document.Child(nameof(PolicyDocument.Exemptions)).Entry(i).Text, e)));
        }

        var defaultWarnings = WarnDays(findings.WarnBeforeDays, $"{FindingsOptions.SectionName}:{nameof(FindingsOptions.WarnBeforeDays)}", problems);
        var defaultPolicy = new KeyPolicy(
            DefaultPolicyName, PolicyProfile.Default, findings.RotationDays, findings.UnusedDays, findings.NeverUsedGraceDays, defaultWarnings, PolicyMatch.Everything);

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var compiled = new List<KeyPolicy>(definitions.Count);
        foreach (var (where, definition) in definitions)
        {
            if (CompilePolicy(definition, where, defaultPolicy, problems) is { } policy)
            {
                if (!names.Add(policy.Name))
                {
                    problems.Add($"{where} ({policy.Name}): Name '{policy.Name}' is used twice.");
                }

                compiled.Add(policy);
            }
        }

        var exemptions = new List<Exemption>(exemptionDefinitions.Count);
        foreach (var (where, definition) in exemptionDefinitions)
        {
            if (ExemptionSet.Compile(definition, where, exemptions.Count, now, problems) is { } exemption)
            {
                exemptions.Add(exemption);
            }
        }

        errors = problems;
        policies = problems.Count == 0 ? new KeyPolicies(compiled, defaultPolicy, new ExemptionSet(exemptions)) : null;
        return policies is not null;
    }

    private static KeyPolicy? CompilePolicy(KeyPolicyDefinition definition, string where, KeyPolicy defaultPolicy, List<string> problems)
    {
        var before = problems.Count;
        var name = definition.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.Name)} is required.");
            name = "?";
        }
        else if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.Name)} must be at most {MaxNameLength} characters without control characters (it is the records' PolicyName).");
            name = "?";
        }
        else if (string.Equals(name, DefaultPolicyName, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{where} ({name}): Name '{name}' is reserved: the {DefaultPolicyName} policy is implicit, built from {FindingsOptions.SectionName} " +
                $"for the keys no policy matches; change {FindingsOptions.SectionName}:* to change it, or name this policy otherwise.");
        }

        where = $"{where} ({name})";
        var profile = PolicyProfile.Default;
        if (!string.IsNullOrWhiteSpace(definition.Profile)
            && !Enum.TryParse(definition.Profile.Trim(), ignoreCase: true, out profile) | !Enum.IsDefined(profile) | definition.Profile.Trim().All(char.IsAsciiDigit))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.Profile)} '{definition.Profile}' is unknown; use {string.Join(", ", Enum.GetNames<PolicyProfile>())}.");
        }

        var (rotation, unused) = profile switch
        {
            PolicyProfile.CisAwsV7 or PolicyProfile.SecurityHub => (90, 45),
            _ => (defaultPolicy.RotationDays, defaultPolicy.UnusedDays),
        };
        rotation = Days(definition.RotationDays, rotation, 1, 3650, where, nameof(KeyPolicyDefinition.RotationDays), problems);
        unused = Days(definition.UnusedDays, unused, 1, 3650, where, nameof(KeyPolicyDefinition.UnusedDays), problems);
        var grace = Days(definition.NeverUsedGraceDays, defaultPolicy.NeverUsedGraceDays, 0, 365, where, nameof(KeyPolicyDefinition.NeverUsedGraceDays), problems);
        var warnings = definition.WarnBeforeDays is null
            ? defaultPolicy.WarnBeforeDays
            : WarnDays(definition.WarnBeforeDays, $"{where}: {nameof(KeyPolicyDefinition.WarnBeforeDays)}", problems);
        var match = CompileMatch(definition, where, problems);
        return problems.Count == before ? new KeyPolicy(name, profile, rotation, unused, grace, warnings, match) : null;
    }

    /// <summary>The match fields, each checked; at least one must have a value, and none may be blank.</summary>
    private static PolicyMatch CompileMatch(KeyPolicyDefinition definition, string where, List<string> problems)
    {
        var set = 0;
        string? Field(string? value, string field)
        {
            if (value is null)
            {
                return null;
            }

            set++;
            if (string.IsNullOrWhiteSpace(value) || List(value).Count == 0)
            {
                problems.Add($"{where}: {field} is blank; give it a value or leave it out (a blank match field must not widen the policy).");
                return null;
            }

            return value.Trim();
        }

        var accountIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in List(Field(definition.AccountIds, nameof(KeyPolicyDefinition.AccountIds))))
        {
            if (id.Length != 12 || !id.All(char.IsAsciiDigit))
            {
                problems.Add($"{where}: {nameof(KeyPolicyDefinition.AccountIds)} has '{id}', which is not a 12-digit account ID.");
            }

            accountIds.Add(id);
        }

        var ouPath = Field(definition.OrganizationalUnitPath, nameof(KeyPolicyDefinition.OrganizationalUnitPath));
        if (ouPath is not null && !OuPath.TryParse(ouPath, out _, out var ouError))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.OrganizationalUnitPath)} '{ouPath}' is not an OU path such as Root/Workloads: {ouError}.");
        }

        var ouIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in List(Field(definition.OrganizationalUnitIds, nameof(KeyPolicyDefinition.OrganizationalUnitIds))))
        {
            if (!DiscoveryOptionsValidator.IsParentId(id))
            {
                problems.Add($"{where}: {nameof(KeyPolicyDefinition.OrganizationalUnitIds)} has '{id}', which is not an OU ID (ou-ab12-cdef3456) or a root ID (r-ab12).");
            }

            ouIds.Add(id);
        }

        var accountTags = Tags(Field(definition.AccountTags, nameof(KeyPolicyDefinition.AccountTags)), where, nameof(KeyPolicyDefinition.AccountTags), problems);
        var userPath = Field(definition.UserPath, nameof(KeyPolicyDefinition.UserPath));
        if (userPath is not null && !userPath.StartsWith('/'))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.UserPath)} '{userPath}' must start with '/', e.g. /service/.");
        }

        Glob? userName = null;
        if (Field(definition.UserName, nameof(KeyPolicyDefinition.UserName)) is { } pattern && !Glob.TryParse(pattern, ignoreCase: true, out userName, out var globError))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.UserName)} '{pattern}' is not a valid glob: {globError}.");
        }

        var userTags = Tags(Field(definition.UserTags, nameof(KeyPolicyDefinition.UserTags)), where, nameof(KeyPolicyDefinition.UserTags), problems);
        if (set == 0)
        {
            problems.Add($"{where}: a policy needs at least one match field ({string.Join(", ", MatchFields.SkipLast(1))} or {MatchFields[^1]}); " +
                $"keys that no policy matches get the {DefaultPolicyName} policy ({FindingsOptions.SectionName}), the only catch-all.");
        }

        return new PolicyMatch(accountIds, ouPath, ouIds, accountTags, userPath, userName, userTags);
    }

    private static int Days(int? value, int fallback, int min, int max, string where, string field, List<string> problems)
    {
        if (value is { } days && (days < min || days > max))
        {
            problems.Add($"{where}: {field} must be between {min} and {max} (was {days}).");
        }

        return value ?? fallback;
    }

    /// <summary><c>14,7,1</c> → 14, 7, 1 (largest first); each 1-365.</summary>
    internal static IReadOnlyList<int> WarnDays(string? text, string setting, List<string> problems)
    {
        var days = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var part in List(text))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var day) || day is < 1 or > 365)
            {
                problems.Add($"{setting} has '{part}'; each warning must be a whole number of days from 1 to 365 (e.g. 14,7,1).");
                continue;
            }

            days.Add(day);
        }

        return [.. days];
    }

    private static List<TagCondition> Tags(string? text, string where, string field, List<string> problems)
    {
        var tags = new List<TagCondition>();
        foreach (var part in List(text))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? part : part[..equals]).Trim();
            if (key.Length == 0)
            {
                problems.Add($"{where}: {field} has '{part}', a tag match with no key (use Key=Value or Key).");
                continue;
            }

            tags.Add(new TagCondition(key, equals < 0 ? null : part[(equals + 1)..].Trim()));
        }

        return tags;
    }

    /// <summary>
    /// The policy document, bound as strictly as the settings (an unknown field or a value that does not convert is a
    /// problem naming it); null with the problem when it cannot be read or is not JSON (with the line and column).
    /// </summary>
    private static PolicyDocument? ReadDocument(string path, List<string> problems)
    {
        byte[] bytes;
        try
        {
            // A pipe or device reports no length and could block the open or the read forever (start-up would hang):
            // only a file with content is opened.
            var info = new FileInfo(Path.GetFullPath(path));
            if (info.Exists && info.Length == 0)
            {
                problems.Add($"{PolicyFileSetting}: the policy document '{path}' is empty or not a regular file.");
                return null;
            }

            using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxDocumentBytes)
            {
                problems.Add($"{PolicyFileSetting}: the policy document '{path}' is {stream.Length:N0} bytes; at most {MaxDocumentBytes:N0} are read.");
                return null;
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add($"{PolicyFileSetting}: the policy document '{path}' could not be read: {ex.Message}");
            return null;
        }

        var json = bytes.AsMemory();
        if (json.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{PolicyFileSetting}: the policy document '{path}' must be a JSON object, {{\"Policies\": [...], \"Exemptions\": [...]}}, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
                return null;
            }

            var file = new PolicyDocument();
            StrictBinder.BindInto(file, SettingNode.Of(document.RootElement), SettingPath.Document($"{PolicyFileSetting} ({path})"), problems);
            return file;
        }
        catch (JsonException ex)
        {
            problems.Add($"{PolicyFileSetting}: the policy document '{path}' is not valid JSON: {JsonReason(ex)}");
            return null;
        }
    }

    /// <summary>"'}' is invalid after a property name. Expected a ':'. at line 3, column 12." (the reader counts from 0).</summary>
    private static string JsonReason(JsonException json)
    {
        var reason = JsonPosition().Replace(json.Message, "").Trim().TrimEnd('.');
        return json.LineNumber is { } line && json.BytePositionInLine is { } column
            ? $"{reason} at line {line + 1}, column {column + 1}."
            : reason + ".";
    }

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex JsonPosition();

    private static List<string> List(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
