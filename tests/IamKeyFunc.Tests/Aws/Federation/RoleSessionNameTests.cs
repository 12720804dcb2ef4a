using IamKeyFunc.Reporting.Aws.Federation;

namespace IamKeyFunc.Tests.Aws.Federation;

public sealed class RoleSessionNameTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 15, 12, 34, 56, TimeSpan.FromHours(2));

    [Theory]
    [InlineData("iamkeyfunc", "iamkeyfunc-20260915T103456")]
    [InlineData("key report/prod", "key-report-prod-20260915T103456")]
    [InlineData("azfn+keys=a,b.c@d_e-f", "azfn+keys=a,b.c@d_e-f-20260915T103456")]
    [InlineData("schlüssel", "schl-ssel-20260915T103456")]
    [InlineData("", "iamkeyfunc-20260915T103456")]
    [InlineData(null, "iamkeyfunc-20260915T103456")]
    public void Create_ShouldBuildAValidNameFromThePrefixAndTheUtcTime(string? prefix, string expected)
    {
        // Act
        var name = RoleSessionName.Create(prefix, Now);

        // Assert
        Assert.Equal(expected, name);
        Assert.True(RoleSessionName.IsValid(name));
    }

    [Fact]
    public void Create_ShouldShortenThePrefixAndKeepTheTimestamp_WhenTooLong()
    {
        // Act
        var name = RoleSessionName.Create(new string('p', 100), Now);

        // Assert
        Assert.Equal(64, name.Length);
        Assert.EndsWith("-20260915T103456", name, StringComparison.Ordinal);
        Assert.True(RoleSessionName.IsValid(name));
    }

    [Theory]
    [InlineData("a", false)]
    [InlineData("ab", true)]
    [InlineData("has space", false)]
    [InlineData("ünicode", false)]
    public void IsValid_ShouldFollowStsRules(string name, bool valid) => Assert.Equal(valid, RoleSessionName.IsValid(name));
}
