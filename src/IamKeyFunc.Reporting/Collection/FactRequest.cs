namespace IamKeyFunc.Reporting.Collection;

/// <summary>
/// The facts beyond the keys that evaluation asks the collector for (<c>Evaluation.KeyPolicies.FactsNeeded</c>): the
/// collector fetches only what is asked, so a deployment without such policies pays no extra call.
/// </summary>
/// <param name="UserTags">A policy matches on user tags: the tags of every user with a key (from the privilege scan's
/// authorization details when it runs, else one <c>ListUserTags</c> per user).</param>
public sealed record FactRequest(bool UserTags)
{
    /// <summary>The keys and the account summary only.</summary>
    public static FactRequest KeysOnly { get; } = new(UserTags: false);
}
