namespace IamKeyFunc.Tests.Functions;

public sealed class ScheduleOptionsValidatorTests
{
    private readonly ScheduleOptionsValidator validator = new();

    [Theory]
    [InlineData("0 0 6 * * *")]
    [InlineData("0 */30 * * * *")]
    [InlineData("0 15 2 * * 1-5")]
    public void Validate_ShouldSucceed_WhenTheScheduleIsASixFieldCronExpression(string schedule)
    {
        var result = validator.Validate(null, new ScheduleOptions { Schedule = schedule });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("0 6 * * *")]
    [InlineData("daily")]
    [InlineData("0 0 25 * * *")]
    [InlineData("00:05:00")]
    public void Validate_ShouldFailNamingTheSetting_WhenTheScheduleIsNotSixFieldCron(string schedule)
    {
        var result = validator.Validate(null, new ScheduleOptions { Schedule = schedule });

        Assert.True(result.Failed);
        Assert.StartsWith($"IAMKEY_SCHEDULE '{schedule}' is not a six-field NCRONTAB expression", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_ShouldFailWithTheDefaultAsAnExample_WhenTheScheduleIsMissing(string? schedule)
    {
        var result = validator.Validate(null, new ScheduleOptions { Schedule = schedule });

        Assert.True(result.Failed);
        Assert.Contains("IAMKEY_SCHEDULE is not set", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("0 0 6 * * *", result.FailureMessage, StringComparison.Ordinal);
    }
}
