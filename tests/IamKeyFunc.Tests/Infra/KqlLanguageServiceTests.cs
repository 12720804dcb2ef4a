namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// Every KQL text the project ships (the saved functions, the alert queries, the workbook queries and
/// <c>infra/kql/*.kql</c>) parsed and semantically analysed by the Kusto language service, against the tables of each
/// sink: Data Collector's suffixed columns (<c>_s</c>, <c>_d</c>, <c>_b</c>, <c>_t</c>) and the DCR-based tables. The
/// table schemas come from <c>infra/azure/schemas/*.columns.json</c>, the one list the Bicep tables and DCR streams
/// also read (and that <see cref="LogAnalyticsSchemaTests"/> checks against the records).
/// </summary>
public sealed class KqlLanguageServiceTests
{
    private const string WorkbookPath = "infra/azure/workbook/iam-key-report.workbook.json";

    /// <summary>The stems of the three tables (key records, run summaries, change events) and the saved function over each.</summary>
    private static readonly (string Stem, string Function)[] Tables =
    [
        ("AwsAccessKeyReport", "AwsAccessKeys"),
        ("AwsAccessKeyRunSummary", "AwsKeyRunSummaries"),
        ("AwsAccessKeyEvents", "AwsKeyEvents"),
    ];

    /// <summary>The columns of the Sentinel AWSCloudTrail table that the CloudTrail join reads (Azure Monitor reference).</summary>
    private static readonly (string, string)[] CloudTrailColumns =
    [
        ("TimeGenerated", "datetime"), ("EventName", "string"), ("EventSource", "string"), ("AWSRegion", "string"),
        ("RecipientAccountId", "string"), ("UserIdentityAccessKeyId", "string"), ("UserIdentityArn", "string"),
        ("SourceIpAddress", "string"), ("UserAgent", "string"), ("ErrorCode", "string"),
    ];

    [KustoFact]
    public void ShippedKql_ShouldAnalyseWithoutErrors_AgainstTheTablesOfEachSink()
    {
        // Arrange
        var databases = new[] { "DataCollector", "LogsIngestion" }.Select(sink => Workspace(sink, ShippedQueries()));

        // Act
        var errors = KustoLanguageService.Errors(databases);

        // Assert
        Assert.True(errors.Count == 0, "The Kusto language service found errors:\n" + string.Join("\n", errors));
    }

    [KustoFact]
    public void Analysis_ShouldReportAWrongColumnName_InAQueryAndInAFunctionBody()
    {
        // Arrange: the check above must be able to fail, for a query and for a sink's function body.
        var query = Workspace("LogsIngestion", [("wrong column", "AwsAccessKeysLatest()\n| where KeyAgeDayz > 90")]);
        var body = Workspace("DataCollector", []) with
        {
            Functions = [("AwsAccessKeys", "", "AwsAccessKeyReport_CL | project UserName = UserNam_s")],
        };

        // Act
        var errors = KustoLanguageService.Errors([query, body]);

        // Assert
        Assert.Contains(errors, e => e.Contains("wrong column: KS142", StringComparison.Ordinal) && e.Contains("KeyAgeDayz", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("function AwsAccessKeys: KS142", StringComparison.Ordinal) && e.Contains("UserNam_s", StringComparison.Ordinal));
    }

    /// <summary>The workspace of one sink: its three tables and CloudTrail's, the saved functions with that sink's bodies, and the queries.</summary>
    private static KqlDatabase Workspace(string sink, IReadOnlyList<(string, string)> queries) => new(
        sink,
        [
            .. Tables.Select(t => ($"{t.Stem}_CL", (IReadOnlyList<(string, string)>)[("TimeGenerated", "datetime"), .. Columns(t.Stem, sink)])),
            ("AWSCloudTrail", CloudTrailColumns),
        ],
        [
            .. Tables.Select(t => (t.Function, "", InfraFiles.ReadText($"infra/kql/functions/{t.Function}.{sink}.kql"))),
            ("AwsAccessKeysLatest", "(lookback:timespan = 2d)", InfraFiles.ReadText("infra/kql/functions/AwsAccessKeysLatest.kql")),
        ],
        queries);

    /// <summary>A table's columns as the sink stores them: DCR tables as declared, Data Collector with a type suffix (numbers as real).</summary>
    private static IEnumerable<(string, string)> Columns(string stem, string sink) =>
        InfraFiles.ReadJsonArray($"infra/azure/schemas/{stem}.columns.json").Select(c => ((string)c!["name"]!, (string)c["type"]!)).Select(c =>
            (sink, c.Item2) switch
            {
                ("DataCollector", "string" or "guid" or "dynamic") => (c.Item1 + "_s", "string"),
                ("DataCollector", "boolean") => (c.Item1 + "_b", "bool"),
                ("DataCollector", "dateTime") => (c.Item1 + "_t", "datetime"),
                ("DataCollector", _) => (c.Item1 + "_d", "real"),
                (_, "dateTime") => (c.Item1, "datetime"),
                (_, "boolean") => (c.Item1, "bool"),
                _ => c,
            });

    /// <summary>infra/kql/*.kql (the alert rules embed those files, <see cref="KqlColumnTests"/> proves it) and the workbook's queries.</summary>
    private static List<(string, string)> ShippedQueries()
    {
        var files = Directory.EnumerateFiles(InfraFiles.PathOf("infra/kql"), "*.kql")
            .Order(StringComparer.Ordinal)
            .Select(f => ($"infra/kql/{Path.GetFileName(f)}", File.ReadAllText(f)));
        var workbook = InfraFiles.ReadJson(WorkbookPath)["items"]!.AsArray()
            .Where(item => item!["content"]?["query"] is not null)
            .Select(item => ($"workbook item {item!["name"]}", WithWorkbookParameters((string)item["content"]!["query"]!)));
        return [.. files, .. workbook];
    }

    /// <summary>The workbook substitutes its parameters before the query runs; here with a typical value.</summary>
    private static string WithWorkbookParameters(string query) => query.Replace("{RotationDays}", "90", StringComparison.Ordinal);
}
