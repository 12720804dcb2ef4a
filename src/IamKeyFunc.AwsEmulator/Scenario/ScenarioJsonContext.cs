using System.Text.Json.Serialization;

namespace IamKeyFunc.AwsEmulator.Scenario;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(EmulatorScenario))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;
