using IamKeyFunc.Reporting.Evaluation;

namespace IamKeyFunc.Tests.Evaluation;

public sealed class RiskScoreTests
{
    [Theory]
    [InlineData(false, false, 400, null, true, false, true, true, 0)]
    [InlineData(true, false, 0, 0, false, true, false, false, 0)]
    [InlineData(true, false, 365, 180, false, true, false, false, 35)]
    [InlineData(true, false, 730, 900, false, true, false, false, 35)]
    [InlineData(true, false, 73, null, false, true, false, false, 15)]
    [InlineData(true, false, 0, 0, true, false, false, false, 10)]
    [InlineData(true, false, 0, 0, true, null, false, false, 0)]
    [InlineData(true, false, 0, 0, false, true, true, true, 25)]
    [InlineData(true, false, 0, 0, false, true, false, true, 10)]
    [InlineData(true, false, 0, 0, false, true, null, null, 0)]
    [InlineData(true, true, 0, 0, false, true, true, true, 50)]
    [InlineData(true, true, 2000, null, true, false, true, true, 100)]
    public void Compute_ShouldFollowTheReadmeFormula(
        bool active, bool root, int age, int? idle, bool? password, bool? mfa, bool? admin, bool? credentials, int expected)
    {
        Assert.Equal(expected, RiskScore.Compute(new RiskInput(active, root, age, idle, password, mfa, admin, credentials)));
    }
}
