using System.CommandLine;
using System.Text.Json.Nodes;
using IamKeyFunc.Cli;

namespace IamKeyFunc.Tests.Cli;

/// <summary>Runs <c>iamkeys</c> in-process with captured standard output and error.</summary>
internal static class CliRunner
{
    /// <summary>A fresh temporary directory, deleted on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("iamkeys-tests-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await IamKeysCommand.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Writes <paramref name="settings"/> (configuration keys with <c>:</c>) as a nested JSON settings file for <c>--config</c>.</summary>
    public static string WriteConfig(string directory, IReadOnlyDictionary<string, string?> settings)
    {
        var root = new JsonObject();
        foreach (var (key, value) in settings)
        {
            var node = root;
            var parts = key.Split(':');
            foreach (var part in parts[..^1])
            {
                node = (JsonObject)(node[part] ??= new JsonObject());
            }

            node[parts[^1]] = value;
        }

        var path = System.IO.Path.Combine(directory, $"settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }
}
