using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Evaluation;

public class KeyIdFormatterTests
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";

    [Fact]
    public void Format_ShouldShowFirstAndLastFourAroundAnEllipsis_WhenMasked()
    {
        // Act
        var masked = KeyIdFormatter.Format(KeyId, KeyIdFormat.Masked);

        // Assert
        Assert.Equal("AKIA\u2026MPLE", masked);
    }

    [Fact]
    public void Format_ShouldReturnTheIdUnchanged_WhenFull()
    {
        Assert.Equal(KeyId, KeyIdFormatter.Format(KeyId, KeyIdFormat.Full));
    }

    [Fact]
    public void Format_ShouldReturnLowercaseHexSha256OfUtf8_WhenSha256()
    {
        // Arrange: python3 -c "import hashlib; print(hashlib.sha256(b'AKIAIOSFODNN7EXAMPLE').hexdigest())"
        const string expected = "1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3";

        // Act
        var hashed = KeyIdFormatter.Format(KeyId, KeyIdFormat.Sha256);

        // Assert
        Assert.Equal(expected, hashed);
    }

    [Theory]
    [InlineData(KeyIdFormat.Masked)]
    [InlineData(KeyIdFormat.Full)]
    [InlineData(KeyIdFormat.Sha256)]
    public void Format_ShouldReturnNull_WhenTheKeyHasNoId(KeyIdFormat format)
    {
        Assert.Null(KeyIdFormatter.Format(null, format));
    }

    [Theory]
    [InlineData("")]
    [InlineData("AKIA")]
    [InlineData("AKIA1234")]
    public void Mask_ShouldRevealNothing_WhenTheIdIsTooShortToHideAnything(string shortId)
    {
        Assert.Equal(KeyIdFormatter.Ellipsis, KeyIdFormatter.Mask(shortId));
    }

    [Fact]
    public void Mask_ShouldHideTheMiddle_WhenTheIdIsNineCharacters()
    {
        Assert.Equal("AKIA\u20266789", KeyIdFormatter.Mask("AKIA56789"));
    }
}
