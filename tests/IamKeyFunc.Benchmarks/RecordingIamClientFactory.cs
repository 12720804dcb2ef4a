using System.Collections.Concurrent;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Benchmarks;

/// <summary>The production <see cref="IamClientFactory"/>, remembering every client it built so their stats can be summed.</summary>
internal sealed class RecordingIamClientFactory(
    IHttpClientFactory httpClientFactory,
    IOptions<CollectionOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IamClientFactory(httpClientFactory, options, timeProvider, loggerFactory)
{
    private readonly ConcurrentQueue<IamClient> _clients = new();

    public override IamClient Create(AWSCredentials credentials, Uri iamEndpoint, string signingRegion, string accountLabel)
    {
        var client = base.Create(credentials, iamEndpoint, signingRegion, accountLabel);
        _clients.Enqueue(client);
        return client;
    }

    /// <summary>The stats of every client built so far, added up.</summary>
    public ClientTotals Totals()
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        long throttled = 0, retries = 0;
        foreach (var client in _clients)
        {
            foreach (var (action, count) in client.Stats.ApiCalls)
            {
                calls[action] = calls.GetValueOrDefault(action) + count;
            }

            throttled += client.Stats.ThrottledResponses;
            retries += client.Stats.Retries;
        }

        return new ClientTotals(calls, throttled, retries);
    }
}

/// <summary>What the IAM clients counted: attempts per action, throttled answers, retries.</summary>
internal sealed record ClientTotals(IReadOnlyDictionary<string, long> CallsByOperation, long Throttled, long Retries)
{
    public long TotalCalls => CallsByOperation.Values.Sum();
}
