using IamKeyFunc.Reporting.Collection;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// The compiled policies and exemptions of a run: the ordered policies (first match wins), the default policy for keys
/// no policy matches, and the exemptions. Built once at start by <see cref="KeyPolicyCompiler"/>.
/// </summary>
public sealed class KeyPolicies(IReadOnlyList<KeyPolicy> ordered, KeyPolicy defaultPolicy, ExemptionSet exemptions)
{
    public IReadOnlyList<KeyPolicy> Ordered { get; } = ordered;

    public KeyPolicy Default { get; } = defaultPolicy;

    public ExemptionSet Exemptions { get; } = exemptions;

    /// <summary>Some policy matches on user tags, so the collector must fetch them.</summary>
    public bool NeedUserTags => Ordered.Any(p => p.Match.NeedsUserTags);

    /// <summary>What the collector must fetch beside the keys for these policies to be evaluated.</summary>
    public FactRequest FactsNeeded => NeedUserTags ? new FactRequest(UserTags: true) : FactRequest.KeysOnly;

    /// <summary>The first policy that matches <paramref name="owner"/>, or <see cref="Default"/>.</summary>
    public KeyPolicy For(KeyOwner owner) => Ordered.FirstOrDefault(p => p.Match.Matches(owner)) ?? Default;
}
