using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IamKeyFunc.IntegrationTests.FunctionsHost;

/// <summary>
/// An HTTP <c>CONNECT</c> proxy on loopback that tunnels <c>{host}:{port}</c> to <c>127.0.0.1:{port}</c> for one host
/// name and refuses every other target. The worker process resolves <c>vault.localhost</c>
/// through it (<c>HTTPS_PROXY</c>), because that name is in no resolver; TLS stays end to end between worker and fake.
/// </summary>
internal sealed class LoopbackConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _host;
    private readonly Task _accepting;

    public LoopbackConnectProxy(string host)
    {
        _host = host;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = TunnelAsync(client);
        }
    }

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var target = head.Split(' ') is ["CONNECT", var authority, ..] ? authority.Split(':') : [];
                if (target is not [var host, var portText] || !string.Equals(host, _host, StringComparison.OrdinalIgnoreCase) || !int.TryParse(portText, out var port))
                {
                    await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                    return;
                }

                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
                await stream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), _stop.Token);
                var remote = upstream.GetStream();
                await Task.WhenAny(stream.CopyToAsync(remote, _stop.Token), remote.CopyToAsync(stream, _stop.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The worker or the fake closed the tunnel.
            }
        }
    }

    /// <summary>The request line and headers, up to the blank line (a CONNECT request has no body).</summary>
    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 8192)
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0)
            {
                break;
            }

            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }
}
