using System.Globalization;
using System.Text.Json;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The Functions host's <c>functionTimeout</c>, which bounds every invocation and so every in-process run: the
/// <c>AzureFunctionsJobHost__functionTimeout</c> app setting (the host's override of <c>host.json</c>), else
/// <c>host.json</c> in the function app's folder (<c>AzureWebJobsScriptRoot</c>, else the app's own folder) when the
/// app runs under the host (<c>FUNCTIONS_WORKER_RUNTIME</c> is set). Outside the host (the CLI) there is none.
/// </summary>
internal static class HostFunctionTimeout
{
    public const string OverrideSetting = "AzureFunctionsJobHost:functionTimeout";
    public const string WorkerRuntimeSetting = "FUNCTIONS_WORKER_RUNTIME";
    public const string ScriptRootSetting = "AzureWebJobsScriptRoot";

    /// <summary>Sets <see cref="DeliveryOptions.HostFunctionTimeout"/>, or <see cref="DeliveryOptions.HostFunctionTimeoutProblem"/> when it cannot be read.</summary>
    public static void Read(DeliveryOptions options, IConfiguration configuration)
    {
        if (configuration[OverrideSetting] is { Length: > 0 } setting)
        {
            Parse(options, setting, "AzureFunctionsJobHost__functionTimeout");
            return;
        }

        if (string.IsNullOrEmpty(configuration[WorkerRuntimeSetting]))
        {
            return;
        }

        var root = configuration[ScriptRootSetting] is { Length: > 0 } scriptRoot ? scriptRoot : AppContext.BaseDirectory;
        if (!Path.IsPathFullyQualified(root))
        {
            options.HostFunctionTimeoutProblem = $"{ScriptRootSetting} must be the function app's absolute folder, to read functionTimeout from its host.json.";
            return;
        }

        var path = Path.Combine(root, "host.json");
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("functionTimeout", out var value))
            {
                Parse(options, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), $"functionTimeout in {path}");
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            options.HostFunctionTimeoutProblem = $"{path} could not be read for its functionTimeout ({ex.GetType().Name}: {ex.Message}); IamKey:Delivery:RunTimeBudget is derived from it.";
        }
    }

    /// <summary><c>hh:mm:ss</c> (or <c>d.hh:mm:ss</c>); <c>-1</c> means unlimited, so no bound.</summary>
    private static void Parse(DeliveryOptions options, string text, string source)
    {
        if (text.Trim() is "-1" or "-1.00:00:00" or "-00:00:01")
        {
            return;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero)
        {
            options.HostFunctionTimeout = timeout;
            return;
        }

        var shown = text.Length > 40 ? text[..40] + "…" : text;
        options.HostFunctionTimeoutProblem = $"{source} is '{shown}': expected a duration such as 00:30:00 (hh:mm:ss), or -1 for none; IamKey:Delivery:RunTimeBudget is derived from it.";
    }
}
