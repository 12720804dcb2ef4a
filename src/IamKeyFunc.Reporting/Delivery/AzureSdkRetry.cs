using Azure.Core;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The Azure SDK clients (Key Vault; the snapshot blobs and run state) retry in their own pipeline (429/5xx/connection
/// faults, honouring <c>Retry-After</c>); this sets that pipeline's attempts, delays and per-try timeout from the
/// settings of what they serve, instead of stacking a second retry layer underneath it: <c>IamKey:Delivery</c> for Key
/// Vault, <c>IamKey:StateStorage</c> for the host's storage account.
/// </summary>
internal static class AzureSdkRetry
{
    public static void Apply(RetryOptions retry, DeliveryOptions delivery) =>
        Apply(retry, delivery.MaxAttempts, delivery.RetryBaseDelay, delivery.RetryMaxDelay, delivery.RequestTimeout);

    public static void Apply(RetryOptions retry, StateStorageOptions state) =>
        Apply(retry, state.MaxAttempts, state.RetryBaseDelay, state.RetryMaxDelay, state.RequestTimeout);

    private static void Apply(RetryOptions retry, int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan requestTimeout)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = maxAttempts - 1;
        retry.Delay = baseDelay;
        retry.MaxDelay = maxDelay;
        retry.NetworkTimeout = requestTimeout;
    }
}
