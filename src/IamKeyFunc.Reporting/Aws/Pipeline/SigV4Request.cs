namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// The parts of an HTTP request that AWS Signature Version 4 covers. <see cref="Path"/> and <see cref="Query"/>
/// are as they appear on the request line (without the <c>?</c>); every header listed is signed.
/// </summary>
public sealed record SigV4Request(
    string Method,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Payload);

/// <summary>Switches for the few places where SigV4 signers legitimately differ.</summary>
public sealed record SigV4SigningOptions
{
    public static SigV4SigningOptions Default { get; } = new();

    /// <summary>Remove <c>.</c>/<c>..</c> segments and repeated slashes from the path (every service but S3).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Add and sign <c>x-amz-content-sha256</c> (S3 style). IAM does not need it.</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>Add <c>X-Amz-Security-Token</c> after signing instead of signing it (a few legacy services). IAM signs it.</summary>
    public bool OmitSessionTokenFromSignature { get; init; }
}

/// <summary>
/// The outcome of signing: the headers to add to the request and, for diagnostics and tests, the intermediate
/// strings. The canonical request may contain the session token, so <see cref="ToString"/> shows none of them.
/// </summary>
public sealed class SigV4Signature
{
    internal SigV4Signature(
        string canonicalRequest,
        string stringToSign,
        string signature,
        string authorization,
        string signedHeaders,
        string credentialScope,
        IReadOnlyList<KeyValuePair<string, string>> headersToAdd)
    {
        CanonicalRequest = canonicalRequest;
        StringToSign = stringToSign;
        Signature = signature;
        Authorization = authorization;
        SignedHeaders = signedHeaders;
        CredentialScope = credentialScope;
        HeadersToAdd = headersToAdd;
    }

    public string CanonicalRequest { get; }

    public string StringToSign { get; }

    /// <summary>Lowercase hex HMAC-SHA256 signature.</summary>
    public string Signature { get; }

    /// <summary>The full <c>Authorization</c> header value.</summary>
    public string Authorization { get; }

    /// <summary>Semicolon-separated lowercase names of the signed headers.</summary>
    public string SignedHeaders { get; }

    /// <summary><c>{yyyyMMdd}/{region}/{service}/aws4_request</c>.</summary>
    public string CredentialScope { get; }

    /// <summary>Headers the signer added (<c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c>, ...) plus <c>Authorization</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd { get; }

    public override string ToString() => $"SigV4Signature {{ CredentialScope = {CredentialScope}, SignedHeaders = {SignedHeaders} }}";
}
