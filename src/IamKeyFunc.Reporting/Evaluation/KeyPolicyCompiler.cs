using System.Globalization;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// Turns <see cref="KeyPolicyOptions"/> (and the policy file it names) into <see cref="KeyPolicies"/>, or into the list
/// of problems, each naming the policy or exemption and the field (<c>IamKey:Policies:0 (ci): UserName ...</c>).
/// </summary>
public static class KeyPolicyCompiler
{
    /// <summary>The name of the policy built from <c>IamKey:Findings</c>; reserved.</summary>
    public const string DefaultPolicyName = "Default";

    /// <summary>How far ahead an exemption may expire.</summary>
    public static readonly TimeSpan MaxExemptionLength = TimeSpan.FromDays(365);

    public static KeyPolicies Compile(KeyPolicyOptions options, FindingsOptions findings, DateTimeOffset now) =>
        TryCompile(options, findings, now, out var policies, out var errors)
            ? policies!
            : throw new InvalidOperationException(string.Join(" ", errors));

    public static bool TryCompile(KeyPolicyOptions options, FindingsOptions findings, DateTimeOffset now, out KeyPolicies? policies, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(findings);
        var problems = new List<string>();
        var definitions = options.Policies.Select((p, i) => (Where: $"{KeyPolicyOptions.SectionName}:{nameof(KeyPolicyOptions.Policies)}:{i}", Definition: p)).ToList();
        var exemptionDefinitions = options.Exemptions.Select((e, i) => (Where: $"{KeyPolicyOptions.SectionName}:{nameof(KeyPolicyOptions.Exemptions)}:{i}", Definition: e)).ToList();
        if (!string.IsNullOrWhiteSpace(options.PolicyFile) && ReadFile(options.PolicyFile, problems) is { } file)
        {
            var where = $"{KeyPolicyOptions.SectionName}:{nameof(KeyPolicyOptions.PolicyFile)} ({options.PolicyFile})";
            definitions.AddRange(file.Policies.Select((p, i) => ($"{where} {nameof(KeyPolicyOptions.Policies)}[{i}]", p)));
            exemptionDefinitions.AddRange(file.Exemptions.Select((e, i) => ($"{where} {nameof(KeyPolicyOptions.Exemptions)}[{i}]", e)));
        }

        var defaultWarnings = WarnDays(findings.WarnBeforeDays, $"{FindingsOptions.SectionName}:{nameof(FindingsOptions.WarnBeforeDays)}", problems);
        var defaultPolicy = new KeyPolicy(
            DefaultPolicyName, PolicyProfile.Default, findings.RotationDays, findings.UnusedDays, findings.NeverUsedGraceDays, defaultWarnings, PolicyMatch.Everything);

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { DefaultPolicyName };
        var compiled = new List<KeyPolicy>();
        foreach (var (where, definition) in definitions)
        {
            if (CompilePolicy(definition, where, defaultPolicy, problems) is { } policy)
            {
                if (!names.Add(policy.Name))
                {
                    problems.Add($"{where} ({policy.Name}): Name '{policy.Name}' is used twice ('{DefaultPolicyName}' is reserved for the IamKey:Findings policy).");
                }

                compiled.Add(policy);
            }
        }

        var exemptions = new List<Exemption>();
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

        where = $"{where} ({name})";
        var profile = PolicyProfile.Default;
        if (!string.IsNullOrWhiteSpace(definition.Profile)
            && !Enum.TryParse(definition.Profile.Trim(), ignoreCase: true, out profile) | !Enum.IsDefined(profile))
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

        var accountIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in List(definition.AccountIds))
        {
            if (id.Length != 12 || !id.All(char.IsAsciiDigit))
            {
                problems.Add($"{where}: {nameof(KeyPolicyDefinition.AccountIds)} has '{id}', which is not a 12-digit account ID.");
            }

            accountIds.Add(id);
        }

        var userPath = Trimmed(definition.UserPath);
        if (userPath is not null && !userPath.StartsWith('/'))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.UserPath)} '{userPath}' must start with '/', e.g. /service/.");
        }

        Glob? userName = null;
        if (Trimmed(definition.UserName) is { } pattern && !Glob.TryParse(pattern, ignoreCase: true, out userName, out var globError))
        {
            problems.Add($"{where}: {nameof(KeyPolicyDefinition.UserName)} '{pattern}' is not a valid glob: {globError}.");
        }

        var match = new PolicyMatch(
            accountIds,
            Trimmed(definition.OrganizationalUnitPath)?.TrimEnd('/'),
            Tags(definition.AccountTags, where, nameof(KeyPolicyDefinition.AccountTags), problems),
            userPath,
            userName,
            Tags(definition.UserTags, where, nameof(KeyPolicyDefinition.UserTags), problems));
        return problems.Count == before ? new KeyPolicy(name, profile, rotation, unused, grace, warnings, match) : null;
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

    private static KeyPolicyOptions? ReadFile(string path, List<string> problems)
    {
        var setting = $"{KeyPolicyOptions.SectionName}:{nameof(KeyPolicyOptions.PolicyFile)}";
        try
        {
            var full = Path.GetFullPath(path);
            var configuration = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
            var file = new KeyPolicyOptions();
            configuration.Bind(file);
            return file;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or FormatException or InvalidOperationException or ArgumentException)
        {
            problems.Add($"{setting}: the policy document '{path}' could not be read: {ex.Message}");
            return null;
        }
    }

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static IEnumerable<string> List(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
