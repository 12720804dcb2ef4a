using Azure.Core;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The Azure SDK clients (Key Vault, the snapshot blobs) retry in their own pipeline (429/5xx/connection faults,
/// honouring <c>Retry-After</c>); this sets that pipeline's attempts, delays and per-try timeout from
/// <c>IamKey:Delivery</c> instead of stacking a second retry layer underneath it.
/// </summary>
internal static class AzureSdkRetry
{
    public static void Apply(RetryOptions retry, DeliveryOptions delivery)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = delivery.MaxAttempts - 1;
        retry.Delay = delivery.RetryBaseDelay;
        retry.MaxDelay = delivery.RetryMaxDelay;
        retry.NetworkTimeout = delivery.RequestTimeout;
    }
}
