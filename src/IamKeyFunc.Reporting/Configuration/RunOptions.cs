using System.ComponentModel.DataAnnotations;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>How a run executes: section <c>IamKey:Run</c>.</summary>
public enum RunMode
{
    /// <summary>The whole run in the invocation that started it (today's behaviour, the default for small estates).</summary>
    InProcess,

    /// <summary>One Storage-queue message per account, collected by the queue-triggered <c>CollectAccount</c> on as many instances as the host scales to.</summary>
    FanOut,
}

/// <summary>
/// Section <c>IamKey:Run</c>. In <see cref="RunMode.FanOut"/> the run's queue (<see cref="AccountQueue"/>), its state
/// (<see cref="StateContainer"/>) and its lock blob live in the Function's own storage account (<c>AzureWebJobsStorage</c>).
/// </summary>
public sealed class RunOptions
{
    public const string SectionName = "IamKey:Run";

    /// <summary>The queue holding one message per account of a fan-out run (the trigger's queue; its poison queue is <c>iamkey-accounts-poison</c>).</summary>
    public const string AccountQueue = "iamkey-accounts";

    /// <summary>The poison queue the host moves a message to after <c>host.json</c>'s <c>maxDequeueCount</c> attempts.</summary>
    public const string PoisonQueue = AccountQueue + "-poison";

    public RunMode Mode { get; set; } = RunMode.InProcess;

    /// <summary>
    /// Attempts for an account that fails (keep equal to <c>host.json</c>'s <c>extensions.queues.maxDequeueCount</c>):
    /// before the last one a failed account is retried through the queue; on the last one it is recorded <c>Failed</c>.
    /// </summary>
    [Range(1, 20, ErrorMessage = "{0} must be between 1 and 20.")]
    public int AccountAttempts { get; set; } = 3;

    /// <summary>A run lock older than this is broken by the next start (a run whose instance died never releases it).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "{0} must be between 00:01:00 and 1.00:00:00.")]
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The blob container holding the lock blob <c>run.lock</c> and each run's record and per-account outcomes (created when missing).</summary>
    [Required]
    [RegularExpression("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", ErrorMessage = "{0} must be a blob container name: 3-63 lower-case letters, digits and single hyphens.")]
    public string StateContainer { get; set; } = "iamkey-runs";

    /// <summary><c>AzureWebJobsStorage</c> as a connection string. Read from the host setting, not from this section.</summary>
    internal string? StorageConnectionString { get; set; }

    /// <summary><c>AzureWebJobsStorage__accountName</c> (the identity-based form). Read from the host setting.</summary>
    internal string? StorageAccountName { get; set; }
}
