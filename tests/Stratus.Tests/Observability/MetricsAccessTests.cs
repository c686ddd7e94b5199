using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Stratus.Hosting;
using Stratus.Observability;

namespace Stratus.Tests.Observability;

/// <summary>
/// <c>/metrics</c> is not signed, so who may read it is decided by address: a server listening on
/// every interface serves it on loopback and refuses it to a caller on the machine's network address,
/// unless it is open.
/// </summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task Metrics_FromNetworkAddress_ForbiddenUnlessOpen()
    {
        var network = NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address));
        Assert.True(network is not null, "this test needs a network interface with an IPv4 address besides loopback");

        var (loopback, remote) = await StatusesAsync(network, MetricsAccess.Loopback);
        Assert.Equal(HttpStatusCode.OK, loopback.Status);
        Assert.Equal(HttpStatusCode.Forbidden, remote.Status);
        Assert.Equal("AccessDeniedException", remote.ErrorType);

        (loopback, remote) = await StatusesAsync(network, MetricsAccess.Open);
        Assert.Equal(HttpStatusCode.OK, loopback.Status);
        Assert.Equal(HttpStatusCode.OK, remote.Status);
    }

    private static async Task<((HttpStatusCode Status, string? ErrorType) Loopback, (HttpStatusCode Status, string? ErrorType) Remote)> StatusesAsync(IPAddress network, MetricsAccess access)
    {
        var data = Path.Combine(Path.GetTempPath(), "stratus-tests", Guid.NewGuid().ToString("N"));
        await using var server = await StratusServer.StartAsync(new IPEndPoint(IPAddress.Any, 0), options =>
        {
            options.DataDirectory = data;
            options.Observability.Metrics = access;
        });
        try
        {
            using var http = new HttpClient();
            var port = server.Address.Port;
            return (await GetAsync(http, $"http://127.0.0.1:{port}/metrics"), await GetAsync(http, $"http://{network}:{port}/metrics"));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<(HttpStatusCode, string?)> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        return (response.StatusCode, response.Headers.TryGetValues("x-amzn-ErrorType", out var type) ? type.First() : null);
    }
}
