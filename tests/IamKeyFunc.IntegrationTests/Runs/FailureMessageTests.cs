using System.Diagnostics;
using IamKeyFunc.IntegrationTests.Aws;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Reporting.Runs;
using IamKeyFunc.Testing.Aws;

namespace IamKeyFunc.IntegrationTests.Runs;

/// <summary>
/// What a failed account's row says: the operation, STS's code and whole text, the advice and the request ID, with the
/// member StackSet hint only where deploying the role is the fix.
/// </summary>
public sealed class FailureMessageTests
{
    private const string StackSetHint = "If the member role IamKeyFuncMember is missing or does not trust the reader role, deploy it with the StackSet iamkeyfunc-member.";

    [Fact]
    public async Task Run_ShouldKeepTheStsTextAndEveryHintWhole_WhenAMemberRoleDeniesAssumeRole()
    {
        // Arrange: the third account's role does not trust the reader role
        var scenario = EmulatedAws.Generate(accounts: 3, users: 5, denying: 1);
        await using var aws = await EmulatedAws.StartAsync(scenario);
        var denied = scenario.Accounts[2];
        var role = $"arn:aws:iam::{denied.AccountId}:role/IamKeyFuncMember";

        // Act
        var result = await aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(HostileEnvironment.Guard);

        // Assert
        Assert.Equal(["Succeeded|", "Succeeded|", "Failed|AccessDenied"], result.Accounts.Select(a => $"{a.Status}|{a.ErrorCode}"));
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status);
        Assert.Equal(scenario.Accounts.Take(2).Sum(a => scenario.ExpectedKeys(a.AccountId).Count), result.Records.Count);
        var message = result.Accounts[2].ErrorMessage!;
        Assert.StartsWith($"STS AssumeRole for {role} failed with AccessDenied (HTTP 403): ", message, StringComparison.Ordinal);
        Assert.Contains($"is not authorized to perform: sts:AssumeRole on resource: {role}", message, StringComparison.Ordinal);
        Assert.Contains(
            $"Check that the role trusts {scenario.CentralRoleArn} (Principal.AWS, action sts:AssumeRole) and that the source may call sts:AssumeRole on it. {StackSetHint}",
            message,
            StringComparison.Ordinal);
        Assert.Matches(@" \(request ID [^)]+\)$", message);
        Assert.DoesNotContain("\u2026", message, StringComparison.Ordinal);
        Assert.True(message.Length <= SafeError.MaxMessageLength, message);
        Assert.Contains(message, aws.Logs.AllText, StringComparison.Ordinal); // what -v shows is the whole message too
    }

    [Theory]
    [InlineData("ExpiredToken", "The security token included in the request is expired", "was expired at STS even after a refresh: check the host clock.")]
    [InlineData("InvalidClientTokenId", "The security token included in the request is invalid.", "were not accepted by STS.")]
    [InlineData("RegionDisabledException", "STS is not activated in this region for account", "activate it or set IamKey:Aws:StsRegion to another region.")]
    public async Task Run_ShouldNotBlameTheMemberStackSet_WhenAssumeRoleFailsForAnotherReason(string code, string stsText, string hint)
    {
        // Arrange: STS answers the member's AssumeRole with an error that deploying the role would not fix
        await using var env = await HostileEnvironment.StartAsync(HostileMode.Error, "AssumeRole", scenario: EmulatedAws.Generate(accounts: 2, users: 3), sts: true);
        env.Hostile.ErrorStatus = 400;
        env.Hostile.ErrorCode = code;
        env.Hostile.ErrorText = stsText;
        var member = env.Aws.Scenario.Accounts[1];

        // Act
        var watch = Stopwatch.StartNew();
        var result = await env.Aws.Job.RunAsync(new RunRequest(RunTrigger.Cli, DryRun: true)).WaitAsync(HostileEnvironment.Guard);

        // Assert
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.Equal(["Succeeded|", $"Failed|{code}"], result.Accounts.Select(a => $"{a.Status}|{a.ErrorCode}"));
        Assert.Equal(RunStatus.PartiallySucceeded, result.Status);
        Assert.Equal(env.Aws.Scenario.ExpectedKeys(env.AccountId).Count, result.Records.Count);
        var message = result.Accounts[1].ErrorMessage!;
        Assert.StartsWith($"STS AssumeRole for arn:aws:iam::{member.AccountId}:role/IamKeyFuncMember failed with {code} (HTTP 400): {stsText}", message, StringComparison.Ordinal);
        Assert.Contains(hint, message, StringComparison.Ordinal);
        Assert.DoesNotContain("StackSet", message, StringComparison.Ordinal);
    }
}
