namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>What the risk score of a key is computed from.</summary>
public sealed record RiskInput(
    bool Active, bool IsRoot, int? KeyAgeDays, int? DaysSinceLastUse, bool? PasswordEnabled, bool? MfaActive, bool? AdminEquivalent, bool? CanManageCredentials);

/// <summary>
/// A key's risk, 0-100, so that the 20 riskiest keys can be listed first. Inactive keys score 0. For an active key:
/// <code>
/// age         20 × min(1, KeyAgeDays / 365)
/// idle        15 × min(1, idle / 180)   (idle = DaysSinceLastUse, or KeyAgeDays if never used)
/// never used   5 if never used
/// console     10 if PasswordEnabled and not MfaActive
/// privilege   25 if AdminEquivalent, else 10 if CanManageCredentials (0 when the privilege scan is off)
/// root        25 if a root user key
/// </code>
/// rounded to the nearest whole number. The parts add up to 100 at most.
/// </summary>
public static class RiskScore
{
    public static int Compute(RiskInput key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.Active)
        {
            return 0;
        }

        var age = key.KeyAgeDays ?? 0;
        var idle = key.DaysSinceLastUse ?? age;
        var score = 20.0 * Math.Min(1, age / 365.0)
            + 15.0 * Math.Min(1, idle / 180.0)
            + (key.DaysSinceLastUse is null ? 5 : 0)
            + (key.PasswordEnabled == true && key.MfaActive == false ? 10 : 0)
            + (key.AdminEquivalent == true ? 25 : key.CanManageCredentials == true ? 10 : 0)
            + (key.IsRoot ? 25 : 0);
        return (int)Math.Clamp(Math.Round(score, MidpointRounding.AwayFromZero), 0, 100);
    }
}
