using IamKeyFunc.Reporting.Evaluation;

namespace IamKeyFunc.Tests.Evaluation;

public sealed class ComplianceControlsTests
{
    [Theory]
    [InlineData("Unused", 100, 50, "CIS-2.11,SecurityHub-IAM.22")]
    [InlineData("Unused", 100, 45, "")]
    [InlineData("Unused", 200, 91, "CIS-2.11,SecurityHub-IAM.8,SecurityHub-IAM.22")]
    [InlineData("NeverUsedPastGrace", 46, null, "CIS-2.11,SecurityHub-IAM.22")]
    [InlineData("NeverUsedPastGrace", 10, null, "")]
    [InlineData("RotationOverdue", 91, 1, "CIS-2.12,SecurityHub-IAM.3")]
    [InlineData("RotationOverdue", 61, 1, "")]
    [InlineData("RootKey", 10, 1, "SecurityHub-IAM.4")]
    [InlineData("TwoActiveKeys", 400, 400, "")]
    public void Of_ShouldListTheControlsAFindingViolatesAtTheStandardsThreshold(string finding, int age, int? idle, string expected)
    {
        Assert.Equal(expected, ComplianceControls.Of([finding], age, idle));
    }

    [Fact]
    public void Of_ShouldBeEmpty_WithoutFindings()
    {
        Assert.Equal("", ComplianceControls.Of([], 900, 900));
    }
}
