using System.Runtime.CompilerServices;
using IamKeyFunc.Testing;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IamKeyFunc.Tests.Infra;

/// <summary>
/// The Kusto language service (npm <c>@kusto/language-service-next</c>, installed into <c>tools/kusto</c> by
/// <c>.ci/infra-checks --install-only</c>, or named by <c>IAMKEY_KUSTO_LANGUAGE_SERVICE</c>) run offline under node
/// through <c>infra/kql/check-kql.js</c>.
/// </summary>
internal static class KustoLanguageService
{
    private const string PackageVariable = "IAMKEY_KUSTO_LANGUAGE_SERVICE";
    private const string DefaultPackage = "tools/kusto/node_modules/@kusto/language-service-next";

    public static string PackageDirectory =>
        Environment.GetEnvironmentVariable(PackageVariable) is { Length: > 0 } configured ? configured : InfraFiles.PathOf(DefaultPackage);

    public static bool IsInstalled => File.Exists(Path.Combine(PackageDirectory, "Kusto.Language.Bridge.min.js"));

    /// <summary>The one-line reason the checks skip, or null when they run (always under <c>CI=true</c>, where absence fails).</summary>
    public static string? SkipReason =>
        IsInstalled || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Kusto language service not installed ({DefaultPackage}): run '.ci/infra-checks --install-only' (needs node and npm).";

    /// <summary>Analyses every query and function body of each database; returns the errors, one line each.</summary>
    public static IReadOnlyList<string> Errors(IEnumerable<KqlDatabase> databases)
    {
        Assert.True(IsInstalled, $"The Kusto language service is not installed at {PackageDirectory} (CI=true needs it): run '.ci/infra-checks --install-only'.");
        var errors = new List<string>();
        foreach (var database in databases)
        {
            var request = Path.Combine(Path.GetTempPath(), $"kql-check-{Guid.NewGuid():N}.json");
            try
            {
                File.WriteAllText(request, database.ToJson().ToJsonString());
                var output = RunNode(InfraFiles.PathOf("infra/kql/check-kql.js"), PackageDirectory, request);
                errors.AddRange(JsonNode.Parse(output)!.AsArray().Select(e =>
                    $"{database.Name}: {e!["name"]}: {e["code"]} {e["message"]} ({e["at"]})"));
            }
            finally
            {
                File.Delete(request);
            }
        }

        return errors;
    }

    private static string RunNode(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"check-kql.js failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }
}

/// <summary>A Log Analytics workspace as the language service sees it: tables, saved functions, and the queries to check.</summary>
internal sealed record KqlDatabase(
    string Name,
    IReadOnlyList<(string Name, IReadOnlyList<(string Column, string Type)> Columns)> Tables,
    IReadOnlyList<(string Name, string Parameters, string Body)> Functions,
    IReadOnlyList<(string Name, string Text)> Queries)
{
    public JsonObject ToJson() => new()
    {
        ["tables"] = new JsonArray([.. Tables.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["schema"] = "(" + string.Join(", ", t.Columns.Select(c => $"['{c.Column}']:{c.Type}")) + ")",
        })]),
        ["functions"] = new JsonArray([.. Functions.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["parameters"] = f.Parameters, ["body"] = f.Body })]),
        ["queries"] = new JsonArray([.. Queries.Select(q => (JsonNode)new JsonObject { ["name"] = q.Name, ["text"] = q.Text })]),
    };

    public override string ToString() => JsonSerializer.Serialize(Name);
}

/// <summary>Skipped, with a one-line reason, when the Kusto language service is absent outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KustoFactAttribute : FactAttribute
{
    public KustoFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        Skip = KustoLanguageService.SkipReason!;
        DisplayName = SkippedTest.DisplayName(Skip, test, file)!;
    }
}
