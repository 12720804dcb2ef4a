using System.Reflection;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Records;

namespace IamKeyFunc.Tests.Docs;

/// <summary>The README's reference sections are checked against the code: settings, table columns, and the test command CI runs.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));

    [Theory]
    [MemberData(nameof(Settings.Keys), MemberType = typeof(Settings))]
    public void ConfigurationTable_ShouldDescribeTheSetting(string key)
    {
        Assert.Matches($@"(?m)^\| `{Regex.Escape(Settings.EnvironmentName(key))}` \|", Readme);
    }

    [Theory]
    [InlineData(typeof(KeyRecord), "AwsAccessKeyReport")]
    [InlineData(typeof(RunSummary), "AwsAccessKeyRunSummary")]
    [InlineData(typeof(KeyEvent), "AwsAccessKeyEvents")]
    public void ColumnList_ShouldMatchTheRecordPropertiesAndTheirDataCollectorSuffixes(Type record, string table)
    {
        var expected = record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.Name, DataCollector: p.Name + Suffix(p.PropertyType), Type: KqlType(p.PropertyType)))
            .ToList();

        var documented = ColumnRows(table);

        Assert.Equal(expected, documented);
    }

    [Fact]
    public void QuickStart_ShouldBeTheDemoAndTheTestCommandThatCiRuns()
    {
        var ci = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ci-run"));

        Assert.Contains("```bash\ndotnet run --project src/IamKeyFunc.Cli -- demo\ndotnet test IamKeyFunc.sln\n```", Readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("dotnet test IamKeyFunc.sln", ci, StringComparison.Ordinal);
    }

    private static List<(string, string, string)> ColumnRows(string table)
    {
        var start = Readme.IndexOf($"<!-- columns: {table} -->", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '<!-- columns: {table} -->' list");
        return
        [
            .. Readme[start..].ReplaceLineEndings("\n").Split('\n').Skip(3)
                .TakeWhile(line => line.StartsWith('|'))
                .Select(line => ColumnRow().Match(line))
                .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)),
        ];
    }

    private static string Suffix(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "_s",
        var t when t == typeof(bool) => "_b",
        var t when t == typeof(int) || t == typeof(double) => "_d",
        var t when t == typeof(DateTimeOffset) => "_t",
        var t => throw new InvalidOperationException($"No Data Collector suffix for {t}."),
    };

    private static string KqlType(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "string",
        var t when t == typeof(bool) => "bool",
        var t when t == typeof(int) => "int",
        var t when t == typeof(double) => "real",
        var t when t == typeof(DateTimeOffset) => "datetime",
        var t => throw new InvalidOperationException($"No column type for {t}."),
    };

    /// <summary><c>| `Name` | `Name_s` | string | meaning |</c></summary>
    [GeneratedRegex(@"^\| `(\w+)` \| `(\w+)` \| (\w+) \|")]
    private static partial Regex ColumnRow();
}
