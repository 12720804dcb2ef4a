using IamKeyFunc.Reporting.Evaluation;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Evaluation;

/// <summary>Builds policies and key owners for the policy tests.</summary>
internal static class PolicyTestKit
{
    public static readonly DateTimeOffset Now = new(2026, 9, 15, 6, 0, 0, TimeSpan.Zero);

    public static KeyPolicies Compile(params KeyPolicyDefinition[] policies) =>
        KeyPolicyCompiler.Compile(new KeyPolicyOptions { Policies = [.. policies] }, new FindingsOptions(), Now);

    public static IReadOnlyList<string> ProblemsOf(KeyPolicyOptions options, FindingsOptions? findings = null)
    {
        Assert.False(KeyPolicyCompiler.TryCompile(options, findings ?? new FindingsOptions(), Now, out var policies, out var errors));
        Assert.Null(policies);
        return errors;
    }

    public static KeyOwner Owner(
        string accountId = "111122223333",
        string userName = "alice",
        string path = "/",
        string? ou = null,
        IReadOnlyDictionary<string, string>? accountTags = null,
        IReadOnlyDictionary<string, string>? userTags = null) =>
        new(new AccountScope(accountId, ou, accountTags ?? new Dictionary<string, string>()), userName, path, userTags);

    public static Dictionary<string, string> Tags(params (string Key, string Value)[] tags) =>
        tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
}
