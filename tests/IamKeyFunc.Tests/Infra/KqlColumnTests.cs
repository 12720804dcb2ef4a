using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// The workbook, alert and shipped queries reference only columns the records have, names they define themselves,
/// and the KQL functions, never a raw table (so they work with either sink).
/// Columns are PascalCase and KQL's own words are lower case, so every PascalCase identifier is checked.
/// </summary>
public sealed partial class KqlColumnTests
{
    private const string WorkbookPath = "infra/azure/workbook/iam-key-report.workbook.json";

    /// <summary>The Sentinel AWSCloudTrail table and the columns the CloudTrail join uses.</summary>
    private static readonly string[] ExternalNames = ["AWSCloudTrail", "UserIdentityAccessKeyId", "SourceIpAddress", "UserAgent"];

    public static TheoryData<string> QueryFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(InfraFiles.PathOf("infra/kql"), "*.kql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(InfraFiles.RepositoryRoot, file).Replace(Path.DirectorySeparatorChar, '/');
            // The sink-specific function bodies read the raw tables; LogAnalyticsSchemaTests checks them column by column.
            if (!relative.EndsWith(".DataCollector.kql", StringComparison.Ordinal) && !relative.EndsWith(".LogsIngestion.kql", StringComparison.Ordinal))
            {
                data.Add(relative);
            }
        }

        return data;
    }

    public static TheoryData<string> WorkbookItems()
    {
        var data = new TheoryData<string>();
        foreach (var name in WorkbookQueries().Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QueryFiles))]
    public void QueryFile_ShouldReferenceOnlyKnownColumns(string path)
    {
        AssertOnlyKnownNames(path, InfraFiles.ReadText(path));
    }

    [Theory]
    [MemberData(nameof(WorkbookItems))]
    public void WorkbookQuery_ShouldReferenceOnlyKnownColumns(string item)
    {
        AssertOnlyKnownNames($"workbook item {item}", WorkbookQueries()[item]);
    }

    [Fact]
    public void Workbook_ShouldHaveTheRequiredViews()
    {
        // Arrange
        var queries = WorkbookQueries();

        // Act / Assert: the seed's two views, findings, recency, root keys and collector health
        Assert.Contains(queries.Values, q => q.Contains("KeyAgeDays > RotationDays", StringComparison.Ordinal));
        Assert.Contains(queries.Values, q => q.Contains("make-series", StringComparison.Ordinal) && q.Contains("on KeyCreatedAt", StringComparison.Ordinal));
        Assert.Contains(queries.Values, q => q.Contains("by AccountId, Finding", StringComparison.Ordinal));
        Assert.Contains(queries.Values, q => q.Contains("by Finding", StringComparison.Ordinal));
        Assert.Contains(queries.Values, q => q.Contains("DaysSinceLastUse", StringComparison.Ordinal));
        Assert.Contains(queries.Values, q => q.Contains("where RootKey", StringComparison.Ordinal));
        Assert.Contains(queries.Values, q => q.Contains("AwsKeyRunSummaries()", StringComparison.Ordinal) && q.Contains("by AccountId", StringComparison.Ordinal));
    }

    [Fact]
    public void AlertRules_ShouldQueryTheShippedAlertFiles()
    {
        // Arrange
        var strings = InfraFiles.Descendants(InfraFiles.ModuleTemplate("alerts"))
            .OfType<JsonValue>()
            .Select(v => v.ToString())
            .ToList();

        // Act / Assert: the rules embed the files (loadTextContent), so main.json and infra/kql agree.
        foreach (var file in new[] { "alert-rotation-overdue.kql", "alert-root-keys.kql", "alert-failed-run.kql", "heartbeat.kql" })
        {
            var query = InfraFiles.ReadText($"infra/kql/{file}");
            Assert.Contains(strings, s => s.Contains(query, StringComparison.Ordinal));
        }
    }

    private static void AssertOnlyKnownNames(string where, string query)
    {
        // Arrange
        var known = LogAnalyticsSchemaTests.RecordColumns(nameof(KeyRecord))
            .Concat(LogAnalyticsSchemaTests.RecordColumns(nameof(RunSummary)))
            .Select(c => c.Name)
            .Concat(["TimeGenerated"])
            .Concat(FunctionAliases())
            .Concat(ExternalNames)
            .ToHashSet(StringComparer.Ordinal);
        var code = ParameterRegex().Replace(StringRegex().Replace(CommentRegex().Replace(query, ""), "\"\""), "");
        var defined = DefinitionRegex().Matches(code).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        // Act
        var unknown = IdentifierRegex().Matches(code)
            .Select(m => m.Value)
            .Where(name => !known.Contains(name) && !defined.Contains(name))
            .Distinct()
            .ToList();

        // Assert
        Assert.True(unknown.Count == 0, $"{where} references names that are neither record columns nor defined in the query: {string.Join(", ", unknown)}");
    }

    /// <summary>The KQL functions saved in the workspace, named by the files in infra/kql/functions.</summary>
    private static IEnumerable<string> FunctionAliases() =>
        Directory.EnumerateFiles(InfraFiles.PathOf("infra/kql/functions"), "*.kql").Select(f => Path.GetFileName(f).Split('.')[0]).Distinct();

    private static Dictionary<string, string> WorkbookQueries() =>
        InfraFiles.ReadJson(WorkbookPath)["items"]!.AsArray()
            .Where(item => item!["content"]?["query"] is not null)
            .ToDictionary(item => (string)item!["name"]!, item => (string)item!["content"]!["query"]!);

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"""[^""]*""|'[^']*'")]
    private static partial Regex StringRegex();

    /// <summary>Workbook parameters such as <c>{RotationDays}</c>.</summary>
    [GeneratedRegex(@"\{[A-Za-z:]+\}")]
    private static partial Regex ParameterRegex();

    /// <summary>Names a query defines: <c>let X =</c>, <c>extend X =</c>, <c>summarize X = …</c>, <c>project X = …</c>.</summary>
    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")]
    private static partial Regex DefinitionRegex();

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9_]*\b")]
    private static partial Regex IdentifierRegex();
}
