namespace IamKeyFunc.Cli.Rendering;

/// <summary>What <c>validate-config</c> says when the Data Collector sink is chosen (infra/deploy.sh and the README say the same).</summary>
internal static class DataCollectorRetirement
{
    public const string Notice =
        "Note: Microsoft ended support for the HTTP Data Collector API on 2026-09-14; it still ingests, but can stop without notice. " +
        "Move to the Logs Ingestion API with one setting, IamKey:Delivery:Sink=LogsIngestion (Bicep: sinkMode=LogsIngestion, which also creates the DCR " +
        "and sets its endpoint and ID); see the README, \"Moving off the HTTP Data Collector API\".";
}
