using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace IamKeyFunc.Reporting.Aws.Pipeline;

/// <summary>
/// AWS Signature Version 4, header-based (<c>Authorization: AWS4-HMAC-SHA256 ...</c>), checked against the
/// official aws-c-auth test vectors. The time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class SigV4Signer(TimeProvider timeProvider)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    private const string DateHeader = "X-Amz-Date";
    private const string SecurityTokenHeader = "X-Amz-Security-Token";
    private const string ContentSha256Header = "x-amz-content-sha256";

    /// <summary>Signs the request parts; the caller adds <see cref="SigV4Signature.HeadersToAdd"/> to the request.</summary>
    public SigV4Signature Sign(
        SigV4Request request,
        ImmutableCredentials credentials,
        string region,
        string service,
        SigV4SigningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        options ??= SigV4SigningOptions.Default;

        var now = timeProvider.GetUtcNow().UtcDateTime;
        string amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string date = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        string payloadHash = HexSha256(request.Payload.Span);

        var added = new List<KeyValuePair<string, string>> { new(DateHeader, amzDate) };
        if (credentials.UseToken && !options.OmitSessionTokenFromSignature)
        {
            added.Add(new(SecurityTokenHeader, credentials.Token));
        }

        if (options.AddContentSha256Header)
        {
            added.Add(new(ContentSha256Header, payloadHash));
        }

        var (canonicalHeaders, signedHeaders) = CanonicalizeHeaders(request.Headers.Concat(added));
        string canonicalRequest = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalUri(request.Path, options.NormalizePath),
            CanonicalQuery(request.Query),
            canonicalHeaders,
            signedHeaders,
            payloadHash);

        string scope = $"{date}/{region}/{service}/aws4_request";
        string stringToSign = string.Join('\n',
            Algorithm,
            amzDate,
            scope,
            HexSha256(Encoding.UTF8.GetBytes(canonicalRequest)));

        byte[] key = SigningKey(credentials.SecretKey, date, region, service);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        string authorization = $"{Algorithm} Credential={credentials.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";

        if (credentials.UseToken && options.OmitSessionTokenFromSignature)
        {
            added.Add(new(SecurityTokenHeader, credentials.Token));
        }

        added.Add(new("Authorization", authorization));
        return new SigV4Signature(canonicalRequest, stringToSign, signature, authorization, signedHeaders, scope, added);
    }

    /// <summary>
    /// Signs an outgoing request whose body is <paramref name="payload"/> (exactly the bytes sent): sets <c>Host</c>,
    /// signs <c>host</c>, <c>content-type</c> and every <c>x-amz-*</c> header, and adds the resulting headers.
    /// </summary>
    public SigV4Signature Sign(
        HttpRequestMessage request,
        ReadOnlyMemory<byte> payload,
        ImmutableCredentials credentials,
        string region,
        string service)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no RequestUri.", nameof(request));
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request URI must be absolute to be signed.", nameof(request));
        }

        // Signing the same message again replaces, rather than duplicates, what an earlier signing added.
        foreach (string name in new[] { DateHeader, SecurityTokenHeader, ContentSha256Header, "Authorization" })
        {
            request.Headers.Remove(name);
        }

        request.Headers.Host = HostHeader(uri);
        var headers = new List<KeyValuePair<string, string>> { new("host", request.Headers.Host) };
        AddSignableHeaders(headers, request.Headers);
        if (request.Content is not null)
        {
            AddSignableHeaders(headers, request.Content.Headers);
        }

        string query = uri.Query.Length > 0 ? uri.Query[1..] : "";
        var signature = Sign(new SigV4Request(request.Method.Method, uri.AbsolutePath, query, headers, payload), credentials, region, service);
        foreach (var (name, value) in signature.HeadersToAdd)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return signature;
    }

    private static void AddSignableHeaders(List<KeyValuePair<string, string>> target, System.Net.Http.Headers.HttpHeaders source)
    {
        foreach (var (name, values) in source.NonValidated)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                target.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v)));
            }
        }
    }

    /// <summary>RFC 3986 percent-encoding as SigV4 requires: everything but <c>A-Z a-z 0-9 - _ . ~</c>, UTF-8, uppercase hex.</summary>
    public static string UriEncode(string value) => Uri.EscapeDataString(value);

    internal static string HostHeader(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    internal static string CanonicalUri(string path, bool normalize)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        string[] segments = path.Split('/');
        if (!normalize)
        {
            return string.Join('/', segments.Select(UriEncode));
        }

        // RFC 3986 remove_dot_segments, and empty segments (repeated slashes) collapse.
        var kept = new List<string>();
        foreach (string segment in segments)
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                continue;
            }

            kept.Add(UriEncode(segment));
        }

        bool trailingSlash = kept.Count > 0 && segments[^1] is "" or "." or "..";
        return "/" + string.Join('/', kept) + (trailingSlash ? "/" : "");
    }

    internal static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }

        var pairs = new List<(string Key, string Value)>();
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(key)), UriEncode(Uri.UnescapeDataString(value))));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
    }

    private static (string CanonicalHeaders, string SignedHeaders) CanonicalizeHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var groups = headers
            .GroupBy(h => h.Key.Trim().ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var canonical = new StringBuilder();
        foreach (var group in groups)
        {
            canonical.Append(group.Key).Append(':').AppendJoin(',', group.Select(h => CanonicalHeaderValue(h.Value))).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', groups.Select(g => g.Key)));
    }

    /// <summary>Trims and folds every run of whitespace (spaces, tabs, line folds) into one space.</summary>
    private static string CanonicalHeaderValue(string value) =>
        string.Join(' ', value.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static byte[] SigningKey(string secretKey, string date, string region, string service)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    private static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
