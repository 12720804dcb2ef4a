using System.Security.Cryptography;
using System.Text;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Reporting.Evaluation;

/// <summary>
/// Shows an access key ID the way <see cref="CollectionOptions.KeyIdFormat"/> asks:
/// <list type="bullet">
/// <item><c>Masked</c>: the first 4 and last 4 characters around a Unicode ellipsis (U+2026), <c>AKIA…WXYZ</c>.
/// One character, not three dots, so the masked value can never be mistaken for a truncated full ID.
/// IDs of 8 characters or fewer (never issued by IAM) are shown as the ellipsis alone.</item>
/// <item><c>Full</c>: the ID as IAM returns it.</item>
/// <item><c>Sha256</c>: lowercase hex SHA-256 of the ID's UTF-8 bytes, which equals KQL
/// <c>hash_sha256(UserIdentityAccessKeyId)</c> on CloudTrail data, so the two can be joined.</item>
/// </list>
/// A null ID (root keys, whose IDs the credential report does not disclose) stays null.
/// </summary>
public static class KeyIdFormatter
{
    public const string Ellipsis = "\u2026";

    private const int VisibleChars = 4;

    public static string? Format(string? accessKeyId, KeyIdFormat format) => accessKeyId is null
        ? null
        : format switch
        {
            KeyIdFormat.Masked => Mask(accessKeyId),
            KeyIdFormat.Full => accessKeyId,
            KeyIdFormat.Sha256 => Sha256Hex(accessKeyId),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown key ID format."),
        };

    public static string Mask(string accessKeyId) => accessKeyId.Length <= 2 * VisibleChars
        ? Ellipsis
        : string.Concat(accessKeyId.AsSpan(0, VisibleChars), Ellipsis, accessKeyId.AsSpan(accessKeyId.Length - VisibleChars));

    public static string Sha256Hex(string accessKeyId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(accessKeyId)));
}
