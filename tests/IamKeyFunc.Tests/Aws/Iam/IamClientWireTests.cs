using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

/// <summary>What the client puts on the socket: the headers and bytes AWS will verify the signature against.</summary>
public sealed class IamClientWireTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public IamClientWireTests() => _listener.Start();

    [Fact]
    public async Task SignatureVerifiesAgainstTheRawRequestReceived()
    {
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var server = ServeOnceAsync(IamWire.Document("ListUsers", IamWire.Users(false, null, "alice")));
        var credentials = new SessionAWSCredentials("ASIAWIRETEST", "wire-secret", "wire-token/+=");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var client = new IamClient(http, credentials, new Uri($"http://127.0.0.1:{port}/"), "us-east-1", IamTestClients.FastOptions());

        var page = await client.ListUsersAsync(marker: "m ü/+", maxItems: 5);
        var received = await server;

        Assert.Equal("alice", Assert.Single(page.Items).UserName);
        Assert.Equal("POST", received.Method);
        Assert.Equal($"127.0.0.1:{port}", received.Headers["Host"]);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", received.Headers["Content-Type"]);
        Assert.Equal("Action=ListUsers&Version=2010-05-08&Marker=m%20%C3%BC%2F%2B&MaxItems=5", received.BodyText);
        SignatureAssert.Valid(received, credentials.GetCredentials());
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Accepts one HTTP/1.1 request, records it byte for byte, answers 200 with <paramref name="xml"/>.</summary>
    private async Task<CapturedIamRequest> ServeOnceAsync(string xml)
    {
        using var socket = await _listener.AcceptTcpClientAsync();
        var stream = socket.GetStream();
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOf(buffer.ToArray(), "\r\n\r\n"u8.ToArray())) < 0)
        {
            int read = await stream.ReadAsync(chunk);
            Assert.True(read > 0, "connection closed before the headers ended");
            buffer.Write(chunk, 0, read);
        }

        string[] lines = Encoding.ASCII.GetString(buffer.ToArray(), 0, headerEnd).Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        int length = int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture);
        while (buffer.Length < headerEnd + 4 + length)
        {
            int read = await stream.ReadAsync(chunk);
            Assert.True(read > 0, "connection closed before the body ended");
            buffer.Write(chunk, 0, read);
        }

        byte[] body = buffer.ToArray()[(headerEnd + 4)..(headerEnd + 4 + length)];
        byte[] payload = Encoding.UTF8.GetBytes(xml);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(payload);

        string[] requestLine = lines[0].Split(' ');
        var form = Encoding.UTF8.GetString(body).Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
        return new CapturedIamRequest(1, requestLine[0], new Uri($"http://{headers["Host"]}{requestLine[1]}"), headers, body, form);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
