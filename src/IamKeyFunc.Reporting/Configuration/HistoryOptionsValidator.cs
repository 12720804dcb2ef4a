using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Checks that enabled history has somewhere to keep its snapshots: <c>IamKey:History:StateDirectory</c>, or the
/// host storage <c>AzureWebJobsStorage</c> (a valid connection string, or an https <c>__blobServiceUri</c> /
/// <c>__accountName</c>). Every message names the setting.
/// </summary>
internal sealed class HistoryOptionsValidator : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
    {
        if (!options.Enabled || options.UsesFolder)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.StorageConnectionString is { } connectionString)
        {
            try
            {
                _ = new BlobServiceClient(connectionString);
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail($"{HistoryOptions.HostStorageSetting} is not a storage connection string (IamKey:History keeps its snapshots there); use UseDevelopmentStorage=true for Azurite, the identity-based {HistoryOptions.HostStorageSetting}__blobServiceUri, or set IamKey:History:StateDirectory.");
            }
        }

        if (options.BlobServiceUri is { } uri)
        {
            return uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{HistoryOptions.HostStorageSetting}__blobServiceUri must be an absolute https URI such as https://<account>.blob.core.windows.net/ (http only on loopback).");
        }

        return ValidateOptionsResult.Fail(
            $"IamKey:History is enabled but has nowhere to keep its snapshots: set {HistoryOptions.HostStorageSetting} (a connection string, or {HistoryOptions.HostStorageSetting}__accountName / __blobServiceUri with the managed identity) or IamKey:History:StateDirectory, or set IamKey:History:Enabled=false.");
    }
}
