namespace IamKeyFunc.Reporting.Runs;

/// <summary>Thrown by <see cref="ReportJob.RunAsync"/> when another run is in progress in this process (single-flight).</summary>
public sealed class RunInProgressException(string runningRunId)
    : InvalidOperationException($"Run {runningRunId} is already in progress.")
{
    public string RunningRunId { get; } = runningRunId;
}
