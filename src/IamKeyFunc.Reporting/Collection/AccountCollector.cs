using IamKeyFunc.Reporting.Aws.Federation;

namespace IamKeyFunc.Reporting.Collection;

/// <summary>Collects the access-key inventory of one AWS account (live or report mode).</summary>
public class AccountCollector
{
    protected AccountCollector()
    {
    }

    /// <summary>Collects one account. Throws <see cref="AccountCollectionException"/> (cause inside) when the account cannot be collected.</summary>
    public virtual Task<AccountCollection> CollectAsync(AwsAccountSession session, CollectionRun run, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("TODO(collector): live and report modes land once aws-client is merged.");
}
