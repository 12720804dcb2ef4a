using IamKeyFunc.Testing;

namespace IamKeyFunc.Tests.Docs;

/// <summary>A test that skips says why in the name <c>dotnet test</c> prints at its default verbosity (the README's promise).</summary>
public sealed class SkippedTestNameTests
{
    [Fact]
    public void DisplayName_ShouldCarryTheReason_WhenTheTestSkips()
    {
        Assert.Equal(
            "FuncStartScriptTests.Script_ShouldStart [skipped: no Functions host]",
            SkippedTest.DisplayName("no Functions host", "Script_ShouldStart", "/repo/tests/FunctionsHost/FuncStartScriptTests.cs"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void DisplayName_ShouldBeTheDefault_WhenTheTestRuns(string? reason)
    {
        Assert.Null(SkippedTest.DisplayName(reason, "Script_ShouldStart", "/repo/FuncStartScriptTests.cs"));
    }
}
