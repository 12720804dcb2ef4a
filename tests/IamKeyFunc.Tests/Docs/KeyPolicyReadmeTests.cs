using System.Reflection;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Docs;

/// <summary>The README's policy and exemption field tables against the classes the settings bind to.</summary>
public sealed partial class KeyPolicyReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));

    [Theory]
    [InlineData(typeof(KeyPolicyDefinition))]
    [InlineData(typeof(ExemptionDefinition))]
    public void FieldTable_ShouldListEveryFieldInOrder(Type definition)
    {
        var expected = definition.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToList();

        var start = Readme.IndexOf($"<!-- fields: {definition.Name} -->", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '<!-- fields: {definition.Name} -->' table");
        var documented = Readme[start..].ReplaceLineEndings("\n").Split('\n').Skip(3)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => FieldRow().Match(line).Groups[1].Value)
            .ToList();

        Assert.Equal(expected, documented);
    }

    [GeneratedRegex(@"^\| `(\w+)` \|")]
    private static partial Regex FieldRow();
}
