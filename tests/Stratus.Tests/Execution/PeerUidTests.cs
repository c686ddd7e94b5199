using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Stratus.Execution;

namespace Stratus.Tests.Execution;

/// <summary>
/// Who is on the other end of a loopback TCP connection to an instance's Runtime API: asked of the
/// kernel for that one socket, and the same answer the whole socket table gives.
/// </summary>
public sealed class PeerUidTests
{
    [Fact]
    public async Task Of_ConnectionFromThisProcess_IsThisUserAndAgreesWithTheSocketTable()
    {
        using var listener = Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var accepted = await listener.AcceptAsync();

        var uid = PeerUid.Of(accepted);

        Assert.Equal(CurrentUid(), uid);
        // Another path than the default makes it read the table itself.
        Assert.Equal(uid, PeerUid.Of(accepted, "/proc/self/net/tcp"));
    }

    [Fact]
    public async Task Of_ConnectionFromAnotherUser_IsThatUser()
    {
        if (CurrentUid() != 0 || !File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3"))
        {
            Assert.Fail("needs root, setpriv and /usr/bin/python3, as the test command provides");
        }

        using var listener = Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var peer = Process.Start(new ProcessStartInfo("/usr/bin/setpriv",
            ["--reuid=2000123", "--regid=2000123", "--clear-groups", "--", "/usr/bin/python3", "-c",
             $"import socket, sys; s = socket.create_connection(('127.0.0.1', {port})); sys.stdin.read()"])
        {
            RedirectStandardInput = true,
        })!;
        try
        {
            using var accepted = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(2000123, PeerUid.Of(accepted));
            Assert.Equal(2000123, PeerUid.Of(accepted, "/proc/self/net/tcp"));
        }
        finally
        {
            peer.StandardInput.Close();
            await peer.WaitForExitAsync();
        }
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        return listener;
    }

    private static int CurrentUid() =>
        int.Parse(File.ReadLines("/proc/self/status").First(line => line.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
