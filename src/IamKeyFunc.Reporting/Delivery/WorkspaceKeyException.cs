namespace IamKeyFunc.Reporting.Delivery;

/// <summary>
/// The workspace key could not be read from Key Vault, or the secret is not a usable key. The message names the
/// vault, the secret and the service's answer; it never contains the secret's value.
/// </summary>
public sealed class WorkspaceKeyException : Exception
{
    public WorkspaceKeyException(string message, Uri vaultUri, string secretName, int status, string? errorCode, bool isConfigurationError, Exception? innerException = null)
        : base(message, innerException)
    {
        VaultUri = vaultUri;
        SecretName = secretName;
        Status = status;
        ErrorCode = errorCode;
        IsConfigurationError = isConfigurationError;
    }

    public Uri VaultUri { get; }

    public string SecretName { get; }

    /// <summary>Key Vault's HTTP status; 0 when no answer came back (unreachable, timeout, token failure).</summary>
    public int Status { get; }

    /// <summary>Key Vault's error code (e.g. <c>Forbidden</c>, <c>SecretNotFound</c>) or ours (<c>InvalidWorkspaceKey</c>, <c>KeyVaultUnreachable</c>).</summary>
    public string? ErrorCode { get; }

    /// <summary>True when retrying cannot help (no access, no such secret, not a key): the configuration must change.</summary>
    public bool IsConfigurationError { get; }
}
