using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace IamKeyFunc.Testing.Azure;

/// <summary>
/// A self-signed server certificate made at run time (ECDSA P-256, SAN <c>localhost</c>, <c>vault.localhost</c> and <c>127.0.0.1</c>) for the
/// HTTPS fakes, and clients that trust exactly this certificate (pinned), for tests only.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>
    /// A loopback name for Key Vault that passes the SDK's challenge check (the request host must be a subdomain of the
    /// challenge resource, <c>https://localhost</c>) when the client cannot turn that check off, as in another process.
    /// </summary>
    public const string VaultHostName = "vault.localhost";

    /// <summary>The server certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public static TestCertificate Create()
    {
        var now = TimeProvider.System.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=IamKeyFunc loopback test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(VaultHostName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        return new TestCertificate(certificate);
    }

    /// <summary>True for this exact certificate, or for any certificate the system already trusts.</summary>
    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || (certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData));

    /// <summary>A handler that trusts this certificate (pinned) on top of the system's roots.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors),
        },
    };

    /// <summary>An Azure SDK transport that trusts this certificate.</summary>
    public HttpClientTransport CreateTransport() => new(CreateHandler());

    /// <summary>The public certificate as PEM, e.g. for <c>SSL_CERT_FILE</c> when the client runs in another process.</summary>
    public string ExportPem() => Certificate.ExportCertificatePem();

    public void Dispose() => Certificate.Dispose();
}
