using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;
using static IamKeyFunc.Tests.Evaluation.PolicyTestKit;

namespace IamKeyFunc.Tests.Evaluation;

public sealed class ExemptionSetTests
{
    private const string Account = "111122223333";
    private const string Alice = "arn:aws:iam::111122223333:user/alice";
    private static readonly string AliceKeyHash = KeyIdHash("AKIAIOSFODNN7EXAMPLE");

    [Fact]
    public void ActiveExemption_ShouldMatchTheKeyByItsHash()
    {
        var set = Exemptions(new ExemptionDefinition { KeyIdSha256 = AliceKeyHash.ToUpperInvariant(), Reason = "migration", Reference = "SEC-1", Expires = Now.AddDays(30) });

        var match = set.Find(Account, Alice, AliceKeyHash, Now);

        Assert.NotNull(match);
        Assert.True(match.Active);
        Assert.Equal(("migration", "SEC-1", Now.AddDays(30)), (match.Exemption.Reason, match.Exemption.Reference, match.Exemption.Expires));
        Assert.Null(set.Find(Account, Alice, KeyIdHash("AKIAOTHERKEY00000000"), Now));
    }

    [Fact]
    public void Exemption_ShouldNeedEveryPartThatIsSet()
    {
        var set = Exemptions(new ExemptionDefinition { AccountId = Account, UserArn = Alice, Reason = "r", Reference = "T-1", Expires = Now.AddDays(1) });

        Assert.NotNull(set.Find(Account, Alice, AliceKeyHash, Now));
        Assert.NotNull(set.Find(Account, Alice, keyIdSha256: null, Now));
        Assert.Null(set.Find(Account, "arn:aws:iam::111122223333:user/bob", AliceKeyHash, Now));
        Assert.Null(set.Find("444455556666", Alice, AliceKeyHash, Now));
    }

    [Fact]
    public void AccountExemption_ShouldCoverEveryKeyOfTheAccount()
    {
        var set = Exemptions(new ExemptionDefinition { AccountId = Account, Reason = "sandbox being closed", Reference = "T-2", Expires = Now.AddDays(10) });

        Assert.NotNull(set.Find(Account, "arn:aws:iam::111122223333:root", null, Now));
        Assert.NotNull(set.Find(Account, Alice, AliceKeyHash, Now));
    }

    [Fact]
    public void ExpiredExemption_ShouldStillMatch_ButNotBeActive()
    {
        var set = Exemptions(new ExemptionDefinition { UserArn = Alice, Reason = "r", Reference = "T-3", Expires = Now.AddDays(-1) });

        var match = set.Find(Account, Alice, AliceKeyHash, Now);

        Assert.NotNull(match);
        Assert.False(match.Active);
        Assert.False(set.Find(Account, Alice, AliceKeyHash, Now.AddDays(-1))!.Active);
        Assert.True(set.Find(Account, Alice, AliceKeyHash, Now.AddDays(-1).AddTicks(-1))!.Active);
    }

    [Fact]
    public void ActiveExemption_ShouldWinOverAnExpiredOne()
    {
        var set = Exemptions(
            new ExemptionDefinition { UserArn = Alice, Reason = "old", Reference = "T-4", Expires = Now.AddDays(-5) },
            new ExemptionDefinition { UserArn = Alice, Reason = "renewed", Reference = "T-5", Expires = Now.AddDays(5) });

        Assert.Equal("renewed", set.Find(Account, Alice, AliceKeyHash, Now)!.Exemption.Reason);
    }

    [Fact]
    public void Unmatched_ShouldListExemptionsOfCollectedAccountsThatMatchedNothing()
    {
        var set = Exemptions(
            new ExemptionDefinition { Name = "used", UserArn = Alice, Reason = "r", Reference = "T-6", Expires = Now.AddDays(5) },
            new ExemptionDefinition { UserArn = "arn:aws:iam::111122223333:user/gone", Reason = "r", Reference = "T-7", Expires = Now.AddDays(5) },
            new ExemptionDefinition { AccountId = "444455556666", Reason = "r", Reference = "T-8", Expires = Now.AddDays(5) },
            new ExemptionDefinition { KeyIdSha256 = KeyIdHash("AKIADELETEDKEY000000"), Reason = "r", Reference = "T-9", Expires = Now.AddDays(5) });
        var matched = new HashSet<int> { set.Find(Account, Alice, AliceKeyHash, Now)!.Exemption.Id };

        var partial = set.Unmatched(matched, new HashSet<string> { Account }, allAccountsCollected: false);
        var complete = set.Unmatched(matched, new HashSet<string> { Account, "444455556666" }, allAccountsCollected: true);

        Assert.Equal(["T-7"], partial.Select(e => e.Label));
        Assert.Equal(["T-7", "T-8", "T-9"], complete.Select(e => e.Label));
    }

    [Theory]
    [InlineData("{}", "set at least one of AccountId, UserArn or KeyIdSha256")]
    [InlineData("key", "KeyIdSha256 must be the 64 hex digits")]
    [InlineData("account", "AccountId '1234' is not a 12-digit account ID")]
    [InlineData("arn", "UserArn 'alice' is not an IAM user ARN")]
    [InlineData("mismatch", "AccountId 444455556666 is not the account of UserArn (111122223333)")]
    [InlineData("reason", "Reason is required")]
    [InlineData("reference", "Reference (the ticket) is required")]
    [InlineData("expires", "Expires is required")]
    [InlineData("far", "Expires 2027-09-16 is more than 365 days ahead")]
    [InlineData("blank-key", "KeyIdSha256 is blank; give it a value or leave it out (a blank match field must not widen the exemption).")]
    [InlineData("blank-account", "AccountId is blank; give it a value or leave it out (a blank match field must not widen the exemption).")]
    public void BadExemption_ShouldFailNamingTheExemptionAndTheField(string problem, string expected)
    {
        var definition = new ExemptionDefinition { Name = "e", UserArn = Alice, Reason = "r", Reference = "T", Expires = Now.AddDays(365) };
        switch (problem)
        {
            case "{}": definition.UserArn = null; break;
            case "key": definition.KeyIdSha256 = "AKIAIOSFODNN7EXAMPLE"; break;
            case "account": definition.AccountId = "1234"; break;
            case "arn": definition.UserArn = "alice"; break;
            case "mismatch": definition.AccountId = "444455556666"; break;
            case "reason": definition.Reason = " "; break;
            case "reference": definition.Reference = null; break;
            case "expires": definition.Expires = null; break;
            case "far": definition.Expires = Now.AddDays(366); break;
            case "blank-key": definition.KeyIdSha256 = "  "; break; // meant one key: must not exempt every key of the user
            case "blank-account": definition.AccountId = ""; break;
        }

        var errors = ProblemsOf(new KeyPolicyOptions { Exemptions = [definition] });

        Assert.Equal($"IamKey:Exemptions:0 (e): {expected}", Assert.Single(errors)[..($"IamKey:Exemptions:0 (e): {expected}".Length)]);
    }

    private static string KeyIdHash(string keyId) => IamKeyFunc.Reporting.Evaluation.KeyIdFormatter.Sha256Hex(keyId);

    private static ExemptionSet Exemptions(params ExemptionDefinition[] exemptions) =>
        KeyPolicyCompiler.Compile(new KeyPolicyOptions { Exemptions = [.. exemptions] }, new FindingsOptions(), Now).Exemptions;
}
