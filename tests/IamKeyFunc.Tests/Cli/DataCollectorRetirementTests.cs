using IamKeyFunc.Tests.Functions;

namespace IamKeyFunc.Tests.Cli;

/// <summary><c>validate-config</c> says that the HTTP Data Collector API is retired when it is the sink, and names the one setting that moves off it.</summary>
public sealed class DataCollectorRetirementTests : IDisposable
{
    private readonly CliRunner.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ValidateConfig_ShouldNameTheRetirementAndTheSettingThatMovesOff_WhenTheDataCollectorIsTheSink()
    {
        var config = CliRunner.WriteConfig(_directory.Path, FunctionHostTests.SampleSettings());

        var (exitCode, output, _) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.Equal(0, exitCode);
        var note = Assert.Single(CliProcess.Lines(output), l => l.StartsWith("Note: ", StringComparison.Ordinal));
        Assert.Contains("HTTP Data Collector API on 2026-09-14", note, StringComparison.Ordinal);
        Assert.Contains("IamKey:Delivery:Sink=LogsIngestion", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ShouldSayNothingOfIt_WhenLogsIngestionIsTheSink()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Delivery:Sink"] = "LogsIngestion";
        settings["IamKey:LogsIngestion:Endpoint"] = "https://dce-iamkeys.westeurope-1.ingest.monitor.azure.com/";
        settings["IamKey:LogsIngestion:DcrImmutableId"] = "dcr-00000000000000000000000000000000";
        var config = CliRunner.WriteConfig(_directory.Path, settings);

        var (exitCode, output, error) = await CliRunner.RunAsync("validate-config", "--config", config);

        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("Data Collector", output, StringComparison.Ordinal);
    }
}
