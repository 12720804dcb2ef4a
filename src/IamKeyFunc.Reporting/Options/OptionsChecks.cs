namespace IamKeyFunc.Reporting.Options;

/// <summary>Small predicates shared by the options validators.</summary>
internal static class OptionsChecks
{
    public static bool IsAbsoluteHttps(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && uri.Scheme == Uri.UriSchemeHttps && !string.IsNullOrEmpty(uri.Host);
}
