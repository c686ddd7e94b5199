using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Stratus.Execution;

/// <summary>Which user is on the other end of a local connection.</summary>
internal static partial class PeerUid
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer's uid, or -1 when it cannot be told; TCP peers are looked up in <paramref name="tcpTable"/>.</summary>
    public static int Of(Socket socket, string tcpTable = DefaultTable)
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
    /// A loopback TCP peer is a socket of this machine. In the server's own network namespace the kernel
    /// is asked for that one socket (sock_diag over netlink: microseconds); elsewhere, or if netlink is
    /// refused, /proc/net/tcp of the connection's namespace lists it with its owner. Reading that table
    /// walks every socket of the machine and takes milliseconds, which a cold start would wait for.
    /// </summary>
    private static int OfTcp(IPEndPoint remote, IPEndPoint local, string tcpTable)
    {
        if (tcpTable == DefaultTable && remote.AddressFamily == AddressFamily.InterNetwork && SocketDiagnostics(remote, local) is { } uid)
        {
            return uid;
        }

        return OfTable(remote, local, tcpTable);
    }

    private const string DefaultTable = "/proc/net/tcp";

    private static int OfTable(IPEndPoint remote, IPEndPoint local, string tcpTable)
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

    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmFRequest = 1;
    private const ushort NlmsgError = 2;
    private const int HeaderBytes = 16;
    private const int RequestBytes = HeaderBytes + 56;
    private const int UidOffset = HeaderBytes + 4 + 48 + 12;

    /// <summary>
    /// The owner of the TCP socket whose local end is <paramref name="peer"/> and whose remote end is
    /// <paramref name="server"/>, from one exact sock_diag request; null when it cannot be asked.
    /// </summary>
    private static unsafe int? SocketDiagnostics(IPEndPoint peer, IPEndPoint server)
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkSockDiag);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            // struct nlmsghdr, then struct inet_diag_req_v2 with its struct inet_diag_sockid (ports and
            // addresses in network order, no interface, no cookie): the peer's socket, seen from its side.
            Span<byte> request = stackalloc byte[RequestBytes];
            request.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(request, RequestBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(request[4..], SockDiagByFamily);
            BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NlmFRequest);
            var body = request[HeaderBytes..];
            body[0] = (byte)AddressFamily.InterNetwork;
            body[1] = (byte)ProtocolType.Tcp;
            BinaryPrimitives.WriteUInt32LittleEndian(body[4..], uint.MaxValue);
            var id = body[8..];
            BinaryPrimitives.WriteUInt16BigEndian(id, (ushort)peer.Port);
            BinaryPrimitives.WriteUInt16BigEndian(id[2..], (ushort)server.Port);
            peer.Address.TryWriteBytes(id[4..], out _);
            server.Address.TryWriteBytes(id[20..], out _);
            BinaryPrimitives.WriteUInt32LittleEndian(id[40..], uint.MaxValue);
            BinaryPrimitives.WriteUInt32LittleEndian(id[44..], uint.MaxValue);

            // struct sockaddr_nl of the kernel: family, then zeros.
            Span<byte> kernel = stackalloc byte[12];
            kernel.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(kernel, AfNetlink);
            Span<byte> reply = stackalloc byte[512];
            fixed (byte* send = request)
            fixed (byte* to = kernel)
            fixed (byte* receive = reply)
            {
                if (SendTo(fd, send, RequestBytes, 0, to, 12) != RequestBytes)
                {
                    return null;
                }

                var length = Receive(fd, receive, reply.Length, 0);
                if (length < HeaderBytes || BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == NlmsgError)
                {
                    // No such socket (it closed already): nobody this instance's API answers.
                    return length >= HeaderBytes ? -1 : null;
                }

                return length >= UidOffset + 4 && BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == SockDiagByFamily
                    ? BinaryPrimitives.ReadInt32LittleEndian(reply[UidOffset..])
                    : null;
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static unsafe partial nint SendTo(int fd, byte* buffer, nint length, int flags, byte* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint Receive(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    private static string Hex(IPEndPoint endpoint)
    {
        var address = endpoint.Address.GetAddressBytes();
        // The address as the kernel stores it (network order) printed as a host-order integer.
        return string.Create(CultureInfo.InvariantCulture, $"{BitConverter.ToUInt32(address):X8}:{endpoint.Port:X4}");
    }
}
