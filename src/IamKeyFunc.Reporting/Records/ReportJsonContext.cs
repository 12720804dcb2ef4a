using System.Text.Json.Serialization;

namespace IamKeyFunc.Reporting.Records;

/// <summary>
/// Source-generated JSON for the records, shared by every sink. Nulls are omitted (both Log Analytics
/// APIs treat a missing value as empty) and times are ISO 8601 UTC.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(KeyRecord))]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(KeyEvent))]
[JsonSerializable(typeof(IReadOnlyList<KeyRecord>))]
[JsonSerializable(typeof(IReadOnlyList<RunSummary>))]
[JsonSerializable(typeof(IReadOnlyList<KeyEvent>))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
