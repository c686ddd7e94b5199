using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Stratus.Execution;

/// <summary>Which user is on the other end of a local connection.</summary>
internal static class PeerUid
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer's uid, or -1 when it cannot be told; TCP peers are looked up in <paramref name="tcpTable"/>.</summary>
    public static int Of(Socket socket, string tcpTable = "/proc/net/tcp")
    {
        if (socket.AddressFamily == AddressFamily.Unix)
        {
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            Span<byte> credentials = stackalloc byte[12];
            return socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) == 12
                ? BitConverter.ToInt32(credentials[4..8])
                : -1;
        }

        return socket.RemoteEndPoint is IPEndPoint remote && socket.LocalEndPoint is IPEndPoint local
            ? OfTcp(remote, local, tcpTable)
            : -1;
    }

    /// <summary>
    /// A loopback TCP peer is a socket of this machine: /proc/net/tcp (of the namespace the connection
    /// is in) lists it, with its owner, as the connection from the peer's port to ours.
    /// </summary>
    private static int OfTcp(IPEndPoint remote, IPEndPoint local, string tcpTable)
    {
        var wanted = $"{Hex(remote)} {Hex(local)}";
        try
        {
            foreach (var line in File.ReadLines(tcpTable))
            {
                // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid ..."
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 7 && $"{fields[1]} {fields[2]}" == wanted)
                {
                    return int.Parse(fields[7], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    private static string Hex(IPEndPoint endpoint)
    {
        var address = endpoint.Address.GetAddressBytes();
        // The address as the kernel stores it (network order) printed as a host-order integer.
        return string.Create(CultureInfo.InvariantCulture, $"{BitConverter.ToUInt32(address):X8}:{endpoint.Port:X4}");
    }
}
