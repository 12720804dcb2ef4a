using System.Text;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Cli.Commands;
using IamKeyFunc.Tests.Cli;

namespace IamKeyFunc.IntegrationTests.Cli;

/// <summary>
/// Names and messages from AWS that carry terminal controls (ESC sequences, BEL, CR/LF, C1 CSI, bidirectional
/// overrides) reach the screen escaped: the real <c>iamkeys</c> process's output bytes hold no control character but
/// the line feeds it writes itself (issue 18, section 6). AWS Organizations speaks JSON, so its account and OU names can
/// carry any character; IAM speaks XML, which cannot carry ESC or BEL, so its aliases, user names and errors carry
/// CR/LF, C1 controls and bidirectional overrides.
/// </summary>
public sealed class TerminalInjectionTests : IAsyncLifetime, IDisposable
{
    private const string Prod = "444455556666";
    private const string Sandbox = "555566667777";
    private readonly CliRunner.TempDirectory _directory = new();
    private AwsEmulatorServer _emulator = null!;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        var scenario = ScenarioGenerator.SampleOrganization(TimeProvider.System.GetUtcNow());
        var prod = scenario.Account(Prod);
        prod.Name = "Prod\u001B[31mRED\u001B[0m\u0007\r\n│ 999999999999 │ fake row";
        prod.Alias = "prod\u009B2J\u202Eoveride\r\nalias";
        prod.Users.Single(u => u.UserName == "alice").UserName = "alice\u009B31m\u2066\u2069\u200F";
        scenario.Account("888899990000").Name = "Retired\u001B]0;owned title\u0007";
        scenario.Organization!.OrganizationalUnits.Single(u => u.Name == "Prod").Name = "Pr\u202Eod\u001B[1A\u001B[2K";
        _emulator = await AwsEmulatorServer.StartAsync(scenario);
        _emulator.Options.Faults.FailNext("ListUsers", 10, "AccessDenied", 403, "Not authorized\r\n\u009B2J\u202E to perform iam:ListUsers", accountId: Sandbox);
        var settings = DemoCommand.Settings(_emulator, discover: true);
        settings["IamKey:Identity:DevelopmentToken"] = TestJwt.ForScenario(scenario, TimeProvider.System.GetUtcNow().AddHours(1));
        _config = CliRunner.WriteConfig(_directory.Path, settings);
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Accounts_ShouldPrintHostileAccountAndOuNamesEscaped()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunRawAsync("accounts", "--config", _config);

        Assert.True(exitCode == 0, Encoding.UTF8.GetString(stderr));
        AssertNoControlCharacters(stdout);
        AssertNoControlCharacters(stderr);
        var text = Encoding.UTF8.GetString(stdout);
        Assert.Contains("Prod\\x1B[31mRED\\x1B[0m\\x07\\x0D\\x0A│ 999999999999 │ fake row", text, StringComparison.Ordinal);
        Assert.Contains("Retired\\x1B]0;owned title\\x07", text, StringComparison.Ordinal);
        Assert.Contains("Pr\\u202Eod\\x1B[1A\\x1B[2K", text, StringComparison.Ordinal);
        Assert.DoesNotContain(CliProcess.Lines(text), line => line.StartsWith("│ 999999999999", StringComparison.Ordinal)); // no fake row
    }

    [Fact]
    public async Task Collect_ShouldPrintHostileAliasesUserNamesAndMessagesEscaped_InProgressFindingsAndClosingLines()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunRawAsync("collect", "--config", _config, "--output", Path.Combine(_directory.Path, "r.jsonl"), "--state-dir", Path.Combine(_directory.Path, "state"));

        var text = Encoding.UTF8.GetString(stderr);
        Assert.True(exitCode == 2, text); // PartiallySucceeded: the legacy account and the failing sandbox
        Assert.Contains(CliProcess.Lines(text), l => l.StartsWith($"failed  {Sandbox} (example-sandbox)  AccessDenied: ", StringComparison.Ordinal));
        AssertNoControlCharacters(stdout);
        AssertNoControlCharacters(stderr);
        Assert.Contains($"ok      {Prod} (prod\\x9B2J\\u202Eoveride\\x0Aalias)", text, StringComparison.Ordinal);
        Assert.Contains("│ prod\\x9B2J\\u202Eoveride\\x0Aalias │ <root_account>", text, StringComparison.Ordinal); // one cell, no row broken
        Assert.Contains("alice\\x9B31m\\u2066\\u2069\\u200F", text, StringComparison.Ordinal); // the findings table
        Assert.Contains("Not authorized \\x9B2J\\u202E to perform iam:ListUsers", text, StringComparison.Ordinal);
        Assert.Contains("Retired\\x1B]0;owned title\\x07", text, StringComparison.Ordinal); // the skipped account's progress line
    }

    /// <summary>Every character is printable or a line feed: no C0 (CR, ESC, BEL, TAB…), DEL, C1 or bidirectional control, no invalid UTF-8.</summary>
    private static void AssertNoControlCharacters(byte[] output)
    {
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(output);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var bad = (char.IsControl(c) && c != '\n')
                || c is '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
            Assert.False(bad, $"U+{(int)c:X4} at {i}: ...{text[Math.Max(0, i - 40)..Math.Min(text.Length, i + 20)]}...");
        }
    }
}
