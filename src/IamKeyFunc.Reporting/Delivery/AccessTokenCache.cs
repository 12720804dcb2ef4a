using Azure.Core;

namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// One bearer token for one scope, reused until five minutes before it expires (or its <c>RefreshOn</c>), with a
/// single refresher at a time.
/// </summary>
internal sealed class AccessTokenCache(TokenCredential credential, string scope, TimeProvider timeProvider)
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _token;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } token)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } refreshed)
            {
                return refreshed;
            }

            var context = new TokenRequestContext([scope]);
            var acquired = await credential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false);
            _token = acquired;
            return acquired.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the token (the service answered 401).</summary>
    public void Invalidate() => _token = null;

    private string? Fresh()
    {
        if (_token is not { } token)
        {
            return null;
        }

        var refreshAt = token.ExpiresOn - RefreshMargin;
        if (token.RefreshOn is { } refreshOn && refreshOn < refreshAt)
        {
            refreshAt = refreshOn;
        }

        return timeProvider.GetUtcNow() < refreshAt ? token.Token : null;
    }
}
