using CsCheck;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Tests.Infra;

namespace IamKeyFunc.Tests.Configuration;

/// <summary>
/// OU paths are unambiguous: with <c>\</c> and <c>/</c> escaped inside names, "is at or under" on the path strings (what
/// the policies and the key-created alert's KQL compare) is exactly "starts with the same OUs" on the names.
/// </summary>
public sealed class OuPathTests
{
    /// <summary>Names made of the characters that matter: the separator, the escape, and a few letters.</summary>
    private static readonly Gen<string[]> Names = Gen.Char["ab/\\"].Array[1, 4].Select(c => new string(c)).Array[1, 4];

    [Fact]
    public void IsAtOrUnder_ShouldHoldExactlyWhenTheNamesStartWithThePrefixsNames() =>
        Gen.Select(Names, Names, Gen.Bool).Sample((prefix, names, extend) =>
        {
            // Half the time the account's OUs start with the prefix's, so both answers are exercised.
            var account = extend ? [.. prefix, .. names] : names;

            var expected = account.Length >= prefix.Length && account.Take(prefix.Length).SequenceEqual(prefix, StringComparer.Ordinal);

            Assert.Equal(expected, OuPath.IsAtOrUnder(Path(account), Path(prefix)));
        }, iter: 5000);

    [Fact]
    public void TryParse_ShouldReadBackTheNamesOfEveryPathBuiltFromThem() =>
        Names.Sample(names =>
        {
            Assert.True(OuPath.TryParse(Path(names), out var parsed, out var error), error);
            Assert.Equal(["Root", .. names], parsed);
        }, iter: 2000);

    [Theory]
    [InlineData("Prod/Payments", "Prod\\/Payments")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("\\/", "\\\\\\/")]
    [InlineData("Prod", "Prod")]
    public void EscapeName_ShouldEscapeTheSeparatorAndTheEscapeCharacter(string name, string escaped)
    {
        Assert.Equal(escaped, OuPath.EscapeName(name));
    }

    [Fact]
    public void TheAmbiguityOfTheIssue_ShouldBeGone()
    {
        // An OU "Prod/Payments" at the root beside an OU "Prod" that holds an OU "Payments".
        var slashInName = OuPath.Child("Root", "Prod/Payments");
        var childOfProd = OuPath.Child(OuPath.Child("Root", "Prod"), "Payments");

        Assert.NotEqual(slashInName, childOfProd);
        Assert.False(OuPath.IsAtOrUnder(slashInName, "Root/Prod"));
        Assert.True(OuPath.IsAtOrUnder(childOfProd, "Root/Prod"));
    }

    [Fact]
    public void KeyCreatedAlert_ShouldCompareOuPathsByTheSameRule_CaseSensitively()
    {
        // The KQL cannot run here; it must be this exact comparison, which the property above proves for the escaped form.
        var query = InfraFiles.ReadText("infra/kql/alert-key-created.kql");

        Assert.Contains(
            "| where isempty(watchedOuPath) or OuPath == watchedOuPath or OuPath startswith_cs strcat(watchedOuPath, \"/\")",
            query.ReplaceLineEndings("\n").Split('\n'));
    }

    private static string Path(IEnumerable<string> names) => names.Aggregate(OuPath.EscapeName("Root"), OuPath.Child);
}
