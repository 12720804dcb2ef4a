using System.Reflection;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Evaluation;

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

    [Fact]
    public void PolicyDocumentExample_ShouldCompile_IntoThePoliciesItShows()
    {
        // Arrange: the README's example as a file, as IamKey:PolicyFile reads it
        var start = Readme.IndexOf("<!-- policy-document -->", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '<!-- policy-document -->' example");
        var block = Readme[start..].ReplaceLineEndings("\n");
        var json = block[(block.IndexOf("```json\n", StringComparison.Ordinal) + 8)..block.IndexOf("\n```\n", StringComparison.Ordinal)];
        var path = Path.Combine(Path.GetTempPath(), $"iamkeys-readme-policies-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            // Act: as of a day within a year before the example's expiry
            var policies = KeyPolicyCompiler.Compile(new KeyPolicyOptions { PolicyFile = path }, new FindingsOptions(), new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

            // Assert
            Assert.Equal(["ci:7", "service-users:365", "cis:90"], policies.Ordered.Select(p => $"{p.Name}:{p.RotationDays}"));
            Assert.Equal([14, 7, 1], policies.Ordered[2].WarnBeforeDays);
            Assert.Equal("CHG-1234", Assert.Single(policies.Exemptions.All).Reference);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [GeneratedRegex(@"^\| `(\w+)` \|")]
    private static partial Regex FieldRow();
}
