using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>A fan-out run needs the host storage <c>AzureWebJobsStorage</c>: a connection string, or <c>__accountName</c> with the managed identity.</summary>
internal sealed class RunOptionsValidator : IValidateOptions<RunOptions>
{
    private const string Mode = $"{RunOptions.SectionName}:{nameof(RunOptions.Mode)}";

    public ValidateOptionsResult Validate(string? name, RunOptions options)
    {
        if (options.Mode != RunMode.FanOut)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.StorageConnectionString is { } connectionString)
        {
            try
            {
                _ = new BlobServiceClient(connectionString);
                _ = new QueueServiceClient(connectionString);
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail($"{HistoryOptions.HostStorageSetting} is not a storage connection string ({Mode} FanOut keeps its queue, state and lock there); use UseDevelopmentStorage=true for Azurite or the identity-based {HistoryOptions.HostStorageSetting}__accountName.");
            }
        }

        return options.StorageAccountName is { Length: > 0 }
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{Mode} is FanOut but {HistoryOptions.HostStorageSetting} is not set: set a connection string or {HistoryOptions.HostStorageSetting}__accountName (with the managed identity), or set {Mode}=InProcess.");
    }
}
