using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Runs.FanOut;
using Microsoft.Azure.Functions.Worker;

namespace IamKeyFunc.Functions;

/// <summary>
/// <c>IamKey:Run:Mode = FanOut</c>: one account of a run per message of the <c>iamkey-accounts</c> queue, on as many
/// instances as the host scales to (<c>host.json</c> <c>extensions.queues</c>: batch size, <c>maxDequeueCount</c>).
/// A failed account throws until its last attempt, so the queue retries it; then it is recorded <c>Failed</c>.
/// </summary>
public sealed class CollectAccount(FanOutRunner runner)
{
    [Function(nameof(CollectAccount))]
    public Task Run([QueueTrigger(RunOptions.AccountQueue)] string message, long dequeueCount, CancellationToken cancellationToken) =>
        runner.CollectAsync(message, dequeueCount, cancellationToken);
}

/// <summary>The poison queue: a message that threw on every attempt is recorded <c>Failed</c>, so the run still completes.</summary>
public sealed class CollectAccountPoisoned(FanOutRunner runner)
{
    [Function(nameof(CollectAccountPoisoned))]
    public Task Run([QueueTrigger(RunOptions.PoisonQueue)] string message, CancellationToken cancellationToken) =>
        runner.PoisonedAsync(message, cancellationToken);
}
