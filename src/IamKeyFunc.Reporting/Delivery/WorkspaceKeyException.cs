namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The workspace key could not be read from Key Vault, or the secret is not a usable key. The message names the
/// vault, the secret and the service's answer; it never contains the secret's value.
/// </summary>
public sealed class WorkspaceKeyException : ServiceException
{
    public WorkspaceKeyException(string message, Uri vaultUri, string secretName, int status, string? errorCode, bool isConfigurationError, Exception? innerException = null)
        : base(message, errorCode ?? (status == 0 ? "KeyVaultUnreachable" : $"Http{status}"), status, requestId: null, innerException)
    {
        VaultUri = vaultUri;
        SecretName = secretName;
        IsConfigurationError = isConfigurationError;
    }

    public Uri VaultUri { get; }

    public string SecretName { get; }


    /// <summary>True when retrying cannot help (no access, no such secret, not a key): the configuration must change.</summary>
    public bool IsConfigurationError { get; }
}
