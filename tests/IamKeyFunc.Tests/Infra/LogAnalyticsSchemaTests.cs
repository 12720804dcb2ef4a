using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// The table schemas, DCR streams and KQL functions against the record types the sinks send: one column per
/// property, named as the property, with the matching type.
/// </summary>
public sealed partial class LogAnalyticsSchemaTests
{
    public static TheoryData<string, string> RecordTables => new()
    {
        { nameof(KeyRecord), "AwsAccessKeyReport" },
        { nameof(RunSummary), "AwsAccessKeyRunSummary" },
        { nameof(KeyEvent), "AwsAccessKeyEvents" },
    };

    public static TheoryData<string, string, string> RecordFunctions => new()
    {
        { nameof(KeyRecord), "AwsAccessKeys", "AwsAccessKeyReport_CL" },
        { nameof(RunSummary), "AwsKeyRunSummaries", "AwsAccessKeyRunSummary_CL" },
        { nameof(KeyEvent), "AwsKeyEvents", "AwsAccessKeyEvents_CL" },
    };

    [Theory]
    [MemberData(nameof(RecordTables))]
    public void SchemaFile_ShouldListEveryRecordPropertyWithItsTableColumnType(string record, string table)
    {
        // Arrange
        var expected = RecordColumns(record).Select(c => $"{c.Name}:{TableType(c.Type)}").ToList();

        // Act
        var actual = SchemaColumns(table).Select(c => $"{c.Name}:{c.Type}").ToList();

        // Assert
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(RecordTables))]
    public void CompiledTemplate_ShouldBuildTheTableAndTheDcrStreamFromTheSchemaFile(string record, string table)
    {
        // Arrange
        _ = record;
        var schema = InfraFiles.ReadJsonArray($"infra/azure/schemas/{table}.columns.json");

        // Act
        var tables = InfraFiles.ModuleTemplate("workspace-content");
        var dcr = InfraFiles.ModuleTemplate("logs-ingestion");

        // Assert: the exact column list is compiled into both modules (loadJsonContent), so main.json is current.
        Assert.Contains(InfraFiles.Descendants(tables), n => JsonNode.DeepEquals(n, schema));
        Assert.Contains(InfraFiles.Descendants(dcr), n => JsonNode.DeepEquals(n, schema));
    }

    [Fact]
    public void DataCollectionRule_ShouldSendEveryStreamToItsTableWithTimeGeneratedFromCollectedAt()
    {
        // Arrange
        var template = InfraFiles.ModuleTemplate("logs-ingestion");
        var rule = InfraFiles.Descendants(template["resources"]!)
            .OfType<JsonObject>()
            .Single(r => (string?)r["type"] == "Microsoft.Insights/dataCollectionRules");

        // Act
        var streams = template["variables"]!["streams"]!.AsArray();
        var transform = (string?)template["variables"]!["transformKql"];

        // Assert
        Assert.Equal("Direct", (string?)rule["kind"]);
        Assert.Equal("source | extend TimeGenerated = CollectedAt", transform);
        Assert.Equal(
            ["[format('Custom-{0}', parameters('keyRecordTable'))]", "[format('Custom-{0}', parameters('runSummaryTable'))]", "[format('Custom-{0}', parameters('keyEventTable'))]"],
            streams.Select(s => (string?)s!["stream"]));
        Assert.Equal(
            ["[format('{0}_CL', parameters('keyRecordTable'))]", "[format('{0}_CL', parameters('runSummaryTable'))]", "[format('{0}_CL', parameters('keyEventTable'))]"],
            streams.Select(s => (string?)s!["table"]));
        Assert.Equal(3, rule["properties"]!["streamDeclarations"]!.AsObject().Count);
    }

    [Fact]
    public void StreamDeclarations_ShouldUseTheDcrNameOfTheDateTimeType()
    {
        // Arrange
        var template = InfraFiles.ModuleTemplate("logs-ingestion");

        // Act
        var streamColumns = (string?)template["functions"]?[0]?["members"]?["streamColumns"]?["output"]?["value"];

        // Assert: tables say dateTime, stream declarations datetime; every other type name is the same.
        Assert.Contains("if(equals(lambdaVariables('c').type, 'dateTime'), 'datetime', lambdaVariables('c').type)", streamColumns, StringComparison.Ordinal);
        Assert.All(
            template["resources"]!["dataCollectionRule"]!["properties"]!["streamDeclarations"]!.AsObject(),
            s => Assert.StartsWith("[__bicep.streamColumns(variables('streams')", (string?)s.Value!["columns"], StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(RecordFunctions))]
    public void DataCollectorFunction_ShouldRenameEverySuffixedColumnBackToTheRecordProperty(string record, string function, string table)
    {
        // Arrange
        var kql = InfraFiles.ReadText($"infra/kql/functions/{function}.DataCollector.kql");
        var expectedProjection = RecordColumns(record).Select(c => DataCollectorProjection(c.Name, c.Type)).Prepend("TimeGenerated").ToList();
        var expectedSchema = RecordColumns(record)
            .Select(c => $"{c.Name}{DataCollectorSuffix(c.Type)}: {DataCollectorKqlType(c.Type)}")
            .Prepend("TimeGenerated: datetime")
            .ToList();

        // Act
        var datatable = DatatableRegex().Match(kql);
        var project = ProjectRegex().Match(kql);

        // Assert
        Assert.Contains($"({table})", kql, StringComparison.Ordinal);
        Assert.True(datatable.Success && project.Success, $"{function}.DataCollector.kql must have a datatable(...) schema and a final project.");
        Assert.Equal(expectedSchema, SplitList(datatable.Groups[1].Value));
        Assert.Equal(expectedProjection, SplitList(project.Groups[1].Value));
    }

    [Theory]
    [MemberData(nameof(RecordFunctions))]
    public void LogsIngestionFunction_ShouldProjectEveryRecordProperty(string record, string function, string table)
    {
        // Arrange
        var kql = InfraFiles.ReadText($"infra/kql/functions/{function}.LogsIngestion.kql");
        var expected = RecordColumns(record).Select(c => c.Name).Prepend("TimeGenerated").ToList();

        // Act
        var project = ProjectRegex().Match(kql);

        // Assert
        Assert.Contains($"\n{table}\n", kql, StringComparison.Ordinal);
        Assert.True(project.Success, $"{function}.LogsIngestion.kql must end with a project.");
        Assert.Equal(expected, SplitList(project.Groups[1].Value));
    }

    /// <summary>The columns of a record type: its public properties in declaration order, with the type underneath nullable.</summary>
    internal static IReadOnlyList<(string Name, Type Type)> RecordColumns(string record)
    {
        var type = typeof(KeyRecord).Assembly.GetType($"{typeof(KeyRecord).Namespace}.{record}")
            ?? throw new ArgumentException($"No record type {record}.", nameof(record));
        return
        [
            .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .OrderBy(p => p.MetadataToken)
                .Select(p => (p.Name, Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)),
        ];
    }

    private static List<(string Name, string Type)> SchemaColumns(string table) =>
    [
        .. InfraFiles.ReadJsonArray($"infra/azure/schemas/{table}.columns.json")
            .Select(c => ((string)c!["name"]!, (string)c["type"]!)),
    ];

    private static string TableType(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.String => "string",
        TypeCode.Boolean => "boolean",
        TypeCode.Int32 => "int",
        TypeCode.Int64 => "long",
        TypeCode.Double => "real",
        _ when type == typeof(DateTimeOffset) => "dateTime",
        _ => throw new NotSupportedException($"No Log Analytics column type for {type}."),
    };

    // HTTP Data Collector API: the column gets a suffix from the JSON value's type; every number is a double (_d).
    private static string DataCollectorSuffix(Type type) => TableType(type) switch
    {
        "string" => "_s",
        "boolean" => "_b",
        "int" or "long" or "real" => "_d",
        "dateTime" => "_t",
        var other => throw new NotSupportedException(other),
    };

    private static string DataCollectorKqlType(Type type) => DataCollectorSuffix(type) switch
    {
        "_s" => "string",
        "_b" => "bool",
        "_d" => "real",
        _ => "datetime",
    };

    private static string DataCollectorProjection(string name, Type type) => TableType(type) switch
    {
        "int" => $"{name} = toint({name}_d)",
        "long" => $"{name} = tolong({name}_d)",
        _ => $"{name} = {name}{DataCollectorSuffix(type)}",
    };

    private static List<string> SplitList(string list) =>
        [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    [GeneratedRegex(@"datatable\(\s*([^)]*)\)\s*\[\]")]
    private static partial Regex DatatableRegex();

    [GeneratedRegex(@"\|\s*project\s+((?:[^|]|\((?:[^()])*\))*)\s*$")]
    private static partial Regex ProjectRegex();
}
