using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// The workbook has its views and the alert rules embed the shipped query files. Whether every query names only
/// columns that exist is the Kusto language service's job (<see cref="KqlLanguageServiceTests"/>), which replaced the
/// pattern matching that used to be here.
/// </summary>
public sealed partial class KqlColumnTests
{
    private const string WorkbookPath = "infra/azure/workbook/iam-key-report.workbook.json";

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
        Assert.Contains(queries.Values, q => q.Contains("AwsKeyEvents()", StringComparison.Ordinal) && q.Contains("bin(TimeGenerated, 1d), EventType", StringComparison.Ordinal));
        Assert.Equal(
            string.Join('\n', InfraFiles.ReadText("infra/kql/coverage.kql").Split('\n').Where(l => !l.StartsWith("//", StringComparison.Ordinal))).Trim(),
            queries["coverage"]);
        Assert.All(["\"Discovered\"", "\"Collected\"", "\"Failed\"", "\"Skipped\""], measure => Assert.Contains(measure, queries["coverage"], StringComparison.Ordinal));
    }

    [Fact]
    public void Workbook_ShouldShowTheTwentyRiskiestKeysThatNeedActionFirst_ThenTheExemptKeys()
    {
        // Arrange
        var views = InfraFiles.ReadJson(WorkbookPath)["items"]!.AsArray().Where(item => item!["content"]?["query"] is not null).ToList();
        var queries = WorkbookQueries();

        // Act / Assert
        Assert.Equal(["riskiest-keys", "exempt-keys"], views.Take(2).Select(v => (string)v!["name"]!));
        Assert.Contains("top 20 by RiskScore desc", queries["riskiest-keys"], StringComparison.Ordinal);
        Assert.Equal(InfraFiles.ReadText("infra/kql/riskiest-keys.kql").Split('\n', 2)[1].Trim(), queries["riskiest-keys"].Trim());
        Assert.Equal(InfraFiles.ReadText("infra/kql/exempt-keys.kql").Split('\n', 2)[1].Trim(), queries["exempt-keys"].Trim());
        foreach (var needsAction in new[] { "riskiest-keys", "keys-older-than-threshold" })
        {
            Assert.Contains("not(Exempt)", queries[needsAction], StringComparison.Ordinal);
        }
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
        foreach (var file in new[]
        {
            "alert-rotation-overdue.kql", "alert-root-keys.kql", "alert-failed-run.kql", "heartbeat.kql",
            "alert-key-created.kql", "alert-key-reactivated.kql", "alert-rotation-stuck.kql",
        })
        {
            var query = InfraFiles.ReadText($"infra/kql/{file}");
            Assert.Contains(strings, s => s.Contains(query, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AlertRules_ShouldOnlyReplaceLinesTheQueryFilesHave_SoNoFilterIsLostSilently()
    {
        // Arrange: every 'let name = default;' the alerts module replaces with a parameter's value
        var module = InfraFiles.ReadText("infra/azure/modules/alerts.bicep");
        var replaced = LetLine().Matches(module).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        var keyCreated = InfraFiles.ReadText("infra/kql/alert-key-created.kql");

        // Act / Assert
        Assert.Equal(
            ["let watchedAccounts = dynamic([]);", "let watchedOuPath = \"\";", "let watchedTagKey = \"\";", "let watchedTagValue = \"\";"],
            replaced);
        Assert.All(replaced, line => Assert.Contains(line, keyCreated, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"'(let \w+ = [^'$]*;)'")]
    private static partial Regex LetLine();

    private static Dictionary<string, string> WorkbookQueries() =>
        InfraFiles.ReadJson(WorkbookPath)["items"]!.AsArray()
            .Where(item => item!["content"]?["query"] is not null)
            .ToDictionary(item => (string)item!["name"]!, item => (string)item!["content"]!["query"]!);
}
