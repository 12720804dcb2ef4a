using Amazon.Runtime;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// Credentials that can be dropped and fetched again when AWS answers <c>ExpiredToken</c>. The signed request pipeline
/// asks for this interface instead of knowing concrete credential classes.
/// </summary>
public interface IRefreshableCredentials
{
    Task<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken);

    /// <summary>Drops <paramref name="rejected"/> unless another caller already replaced it, so the next read refreshes.</summary>
    void Invalidate(ImmutableCredentials rejected);
}

/// <summary>Adapts any <see cref="AWSCredentials"/> to what the pipeline needs.</summary>
internal sealed class CredentialSource(AWSCredentials credentials)
{
    /// <summary>True when an <c>ExpiredToken</c> answer is worth one refresh and retry.</summary>
    public bool CanRefresh => credentials is IRefreshableCredentials or RefreshingAWSCredentials;

    public Task<ImmutableCredentials> GetAsync(CancellationToken cancellationToken) =>
        credentials is IRefreshableCredentials refreshable ? refreshable.GetCredentialsAsync(cancellationToken) : credentials.GetCredentialsAsync();

    public async Task InvalidateAsync(ImmutableCredentials used)
    {
        switch (credentials)
        {
            case IRefreshableCredentials refreshable:
                refreshable.Invalidate(used);
                break;
            case RefreshingAWSCredentials refreshing:
                var current = await refreshing.GetCredentialsAsync().ConfigureAwait(false);
                if (current.AccessKey == used.AccessKey && current.Token == used.Token)
                {
                    refreshing.ClearCredentials();
                }

                break;
        }
    }
}
