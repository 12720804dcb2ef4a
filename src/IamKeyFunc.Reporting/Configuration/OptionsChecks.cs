using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>Small predicates shared by the options validators.</summary>
internal static class OptionsChecks
{
    public static bool IsAbsoluteHttps(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && uri.Scheme == Uri.UriSchemeHttps && !string.IsNullOrEmpty(uri.Host);

    /// <summary>The configured sink; null when <c>IamKey:Delivery</c> itself is invalid (that failure is reported on its own).</summary>
    public static SinkMode? SelectedSink(IOptions<DeliveryOptions> delivery)
    {
        try
        {
            return delivery.Value.Sink;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
