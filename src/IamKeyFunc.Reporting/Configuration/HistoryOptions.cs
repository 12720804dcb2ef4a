using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Change events (the <c>AwsAccessKeyEvents</c> table) and the per-account snapshots they are computed from: section
/// <c>IamKey:History</c>. Snapshots live in the Function's own storage account (<c>AzureWebJobsStorage</c>) unless
/// <see cref="StateDirectory"/> names a local folder (what <c>iamkeys</c> does).
/// </summary>
public sealed class HistoryOptions
{
    public const string SectionName = "IamKey:History";

    /// <summary>The host storage setting whose account holds the snapshots (a connection string, or the identity-based <c>__blobServiceUri</c> / <c>__accountName</c> form).</summary>
    public const string HostStorageSetting = "AzureWebJobsStorage";

    /// <summary>Compare each account with its previous snapshot and send events; <c>false</c> reads and writes no state at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A user whose newer active key is at least this many days old while the older active key is still used after it was created is <c>RotationStuck</c>.</summary>
    [Range(1, 365, ErrorMessage = "IamKey:History:RotationStuckDays must be between 1 and 365.")]
    public int RotationStuckDays { get; set; } = 7;

    /// <summary>A local folder for the snapshots (one JSON file per account) instead of blob storage; <c>iamkeys</c> defaults it to a per-user folder.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The blob container holding one snapshot blob per account (created when missing).</summary>
    [Required]
    [RegularExpression("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", ErrorMessage = "IamKey:History:ContainerName must be a blob container name: 3-63 lower-case letters, digits and single hyphens.")]
    public string ContainerName { get; set; } = "iamkey-history";

    /// <summary><c>AzureWebJobsStorage</c> as a connection string (e.g. <c>UseDevelopmentStorage=true</c> for Azurite). Read from the host setting, not from this section.</summary>
    internal string? StorageConnectionString { get; set; }

    /// <summary>The blob endpoint of the identity-based <c>AzureWebJobsStorage__blobServiceUri</c> (or derived from <c>__accountName</c>). Read from the host setting.</summary>
    internal Uri? BlobServiceUri { get; set; }

    internal bool UsesFolder => !string.IsNullOrWhiteSpace(StateDirectory);
}
