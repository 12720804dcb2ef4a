using IamKeyFunc.Cli.Rendering;

namespace IamKeyFunc.Tests.Cli;

/// <summary>Names from AWS reach the terminal with every character a terminal would act on escaped (issue 18, section 6).</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("prod\u001B[2J\u001B]0;pwned\u0007", "prod\\x1B[2J\\x1B]0;pwned\\x07")]
    [InlineData("line\r\nfake row", "line\\x0D\\x0Afake row")]
    [InlineData("tab\there", "tab\\x09here")]
    [InlineData("del\u007F c1\u009B31m", "del\\x7F c1\\x9B31m")]
    [InlineData("evil\u202Egnp.exe", "evil\\u202Egnp.exe")]
    [InlineData("iso\u2066late\u2069 mark\u200F alm\u061C", "iso\\u2066late\\u2069 mark\\u200F alm\\u061C")]
    [InlineData("sep\u2028arator", "sep\\u2028arator")]
    public void Safe_ShouldEscapeEveryControlCharacter(string name, string expected)
    {
        Assert.Equal(expected, TerminalText.Safe(name));
    }

    [Theory]
    [InlineData("example-prod")]
    [InlineData("Root/Workloads/Prod")]
    [InlineData("Zürich Ünïcödé 東京 \U0001F680")]
    [InlineData("back\\slash")]
    public void Safe_ShouldKeepPrintableTextAsItIs(string name)
    {
        Assert.Same(name, TerminalText.Safe(name));
    }

    [Fact]
    public void Safe_ShouldEscapeAnUnpairedSurrogate()
    {
        Assert.Equal("lone\\uD800surrogate \\uDC00", TerminalText.Safe("lone" + '\uD800' + "surrogate " + '\uDC00'));
    }

    [Fact]
    public void Markup_ShouldAlsoEscapeSpectreMarkup()
    {
        Assert.Equal("[[red]]x[[/]]\\x1B", TerminalText.Markup("[red]x[/]\u001B"));
    }

    [Fact]
    public void Safe_ShouldLeaveNoControlCharacter_ForAnyCharacter()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var safe = TerminalText.Safe($"a{(char)c}b");
            Assert.DoesNotContain(safe, ch => char.IsControl(ch) || ch is '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') || char.IsSurrogate(ch));
        }
    }
}
