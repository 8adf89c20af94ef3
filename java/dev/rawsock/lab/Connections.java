package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.Accepted;
import dev.rawsock.socket.CallTrace;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOptions;
import dev.rawsock.socket.SocketType;
import dev.rawsock.wire.EtherTypes;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * "A connection is identified by <source IP, source port, destination IP, destination port>", live:
 * several kernel TCP connections to one listening socket, each shown as the kernel reports it
 * (getsockname(2) and getpeername(2) on the client's socket, and on the server's accepted one) and as
 * the packets on the wire carry it (the addresses and ports of the client's SYN, and of the server's
 * SYN-ACK, mirrored), captured by a packet socket.
 *
 * <p>Two places: on loopback ({@link #onLoopback}: client and server in this process's namespace on a
 * 127.0.0.0/8 address, the capture on {@code lo}, where every packet is seen twice, on its way out and
 * on its way in: only the outgoing copies are kept) or in a lab ({@link #inLab}: the clients in the
 * crafting namespace on 198.18.0.1, the server in the target namespace on 198.18.0.2, the capture on
 * veth-target). A classic BPF filter lets only TCP to or from the server's port into the capture.
 * Bounded: at most {@link #MAX_CONNECTIONS}, every wait at most the timeout.
 */
public final class Connections {
    public static final int MAX_CONNECTIONS = 100;

    /** The addresses and ports of one captured segment, and its flags. */
    public record Wire(InetSocketAddress source, InetSocketAddress destination, int flags) {}

    /**
     * One connection, four ways: the client's socket (getsockname, getpeername), the server's accepted
     * socket (getpeername, getsockname, and the peer accept(2) returned), and on the wire (the SYN, the
     * SYN-ACK; null when the capture did not see it).
     */
    public record Row(int number, InetSocketAddress clientLocal, InetSocketAddress clientPeer, InetSocketAddress serverLocal,
                      InetSocketAddress serverPeer, InetSocketAddress accepted, Wire syn, Wire synAck) {
        /** True when all four views name the same 4-tuple (the server's mirrored). */
        public boolean agree() {
            return clientLocal.equals(serverPeer) && clientPeer.equals(serverLocal) && accepted.equals(clientLocal)
                    && syn != null && syn.source().equals(clientLocal) && syn.destination().equals(clientPeer)
                    && synAck != null && synAck.source().equals(serverLocal) && synAck.destination().equals(serverPeer);
        }
    }

    /** The rows, the server's listening address, and where the capture was. */
    public record Result(InetSocketAddress listening, List<Row> rows, String place, String captureInterface, long captureDrops) {
        public boolean allAgree() {
            return !rows.isEmpty() && rows.stream().allMatch(Row::agree);
        }
    }

    /** Where sockets are made: inside a namespace, or here. */
    private interface Place {
        <T> T call(Lab.NamespaceCall<T> body) throws LabException, ErrnoException;
    }

    private static final Duration DRAIN_QUIET = Duration.ofMillis(100);
    private static final int MAX_FRAMES = 10_000;

    private Connections() {}

    /**
     * {@code count} connections on loopback: the server listens on {@code address} (in 127.0.0.0/8) and
     * {@code port} (0: the kernel picks), the capture is on {@code lo}. Needs CAP_NET_RAW for the capture.
     */
    public static Result onLoopback(int count, InetAddress address, int port, Duration timeout, CallTrace trace)
            throws ErrnoException, LabException {
        if (!(address instanceof Inet4Address) || (address.getAddress()[0] & 0xFF) != 127) {
            throw new IllegalArgumentException("connections on loopback use 127.0.0.0/8, not " + address.getHostAddress());
        }
        Place here = new Place() {
            @Override
            public <T> T call(Lab.NamespaceCall<T> body) throws ErrnoException, LabException {
                try {
                    return body.call();
                } catch (ErrnoException | LabException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new LabException(e.getMessage(), e);
                }
            }
        };
        return run(count, new InetSocketAddress(address, port), here, here, "lo", true, "loopback", timeout, trace);
    }

    /**
     * {@code count} connections in {@code lab} (which must give the crafting side an address,
     * {@link Lab.Topology#directWithAddresses()}): clients on 198.18.0.1, the server on the target's
     * address and {@code port}, the capture on the target's veth.
     */
    public static Result inLab(Lab lab, int count, int port, Duration timeout, CallTrace trace) throws ErrnoException, LabException {
        if (!lab.topology().craftingAddress()) {
            throw new IllegalArgumentException("connections needs a lab whose crafting side owns 198.18.0.1 (kernel clients)");
        }
        Place clients = new Place() {
            @Override
            public <T> T call(Lab.NamespaceCall<T> body) throws LabException {
                return lab.inCrafting(body);
            }
        };
        Place server = new Place() {
            @Override
            public <T> T call(Lab.NamespaceCall<T> body) throws LabException {
                return lab.inTarget(body);
            }
        };
        String device = lab.rightInterface(lab.topology().links() - 1);
        return run(count, new InetSocketAddress(LabTarget.address(lab.targetAddress()), port), clients, server, device, false,
                "lab " + lab.name() + " (clients in " + lab.craftingNamespace() + ", server in " + lab.targetNamespace() + ")", timeout, trace);
    }

    private static Result run(int count, InetSocketAddress bindTo, Place clients, Place server, String device, boolean onlyOutgoing,
                              String place, Duration timeout, CallTrace trace) throws ErrnoException, LabException {
        if (count < 1 || count > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("count must be 1-" + MAX_CONNECTIONS + " but was " + count);
        }
        SocketApi api = trace != null ? SocketApi.traced(trace) : SocketApi.create();
        SocketApi quiet = SocketApi.create();
        List<Socket> open = new ArrayList<>();
        PacketSocket capture = null;
        try {
            Socket listener = server.call(() -> api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP));
            open.add(listener);
            api.setsockopt(listener, SocketOptions.SO_REUSEADDR, true);
            api.bind(listener, bindTo);
            InetSocketAddress listening = api.getsockname(listener);
            api.listen(listener, count);
            int serverPort = listening.getPort();
            capture = server.call(() -> {
                PacketSocket s = PacketSocket.open(quiet, false, Protocol.ETH_P_ALL);
                try {
                    s.bindInterface(PacketSocket.interfaceIndex(device));
                    s.attachFilter(tcpPortFilter(serverPort));
                } catch (ErrnoException e) {
                    s.close();
                    throw e;
                }
                return s;
            });
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Socket[]> pairs = new ArrayList<>();
            List<InetSocketAddress> acceptedPeers = new ArrayList<>();
            for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                Socket c = clients.call(() -> api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP));
                open.add(c);
                api.connect(c, listening);
                if ((api.poll(listener, dev.rawsock.linux.Constants.POLLIN, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L))
                        & dev.rawsock.linux.Constants.POLLIN) == 0) {
                    throw new LabException("the server had no connection to accept within " + timeout.toMillis() + " ms");
                }
                Accepted a = api.accept(listener);
                open.add(a.socket());
                pairs.add(new Socket[] {c, a.socket()});
                acceptedPeers.add(a.peer());
            }
            List<Wire> wire = drain(capture, onlyOutgoing);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                Socket c = pairs.get(i)[0];
                Socket s = pairs.get(i)[1];
                InetSocketAddress clientLocal = api.getsockname(c);
                InetSocketAddress clientPeer = api.getpeername(c);
                InetSocketAddress serverPeer = api.getpeername(s);
                InetSocketAddress serverLocal = api.getsockname(s);
                Wire syn = find(wire, clientLocal, clientPeer, TcpFlags.SYN);
                Wire synAck = find(wire, clientPeer, clientLocal, TcpFlags.SYN | TcpFlags.ACK);
                rows.add(new Row(i + 1, clientLocal, clientPeer, serverLocal, serverPeer, acceptedPeers.get(i), syn, synAck));
            }
            long drops = capture.statistics().drops();
            return new Result(listening, rows, place, device, drops);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                api.close(open.get(i));
            }
            if (capture != null) {
                capture.close();
            }
        }
    }

    /** The first captured segment from {@code source} to {@code destination} whose flags among SYN, ACK, RST, FIN are exactly {@code flags}. */
    private static Wire find(List<Wire> wire, InetSocketAddress source, InetSocketAddress destination, int flags) {
        int mask = TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST | TcpFlags.FIN;
        for (Wire w : wire) {
            if (w.source().equals(source) && w.destination().equals(destination) && (w.flags() & mask) == flags) {
                return w;
            }
        }
        return null;
    }

    /** Every TCP segment in the capture, as addresses, ports and flags. */
    private static List<Wire> drain(PacketSocket capture, boolean onlyOutgoing) throws ErrnoException {
        NativeBuffer buffer = NativeBuffer.allocate(256);
        EthernetView eth = new EthernetView();
        Ipv4View ip = new Ipv4View();
        TcpView tcp = new TcpView();
        List<Wire> out = new ArrayList<>();
        for (int i = 0; i < MAX_FRAMES; i++) {
            int n = capture.receive(buffer, 0, 256, (int) DRAIN_QUIET.toMillis());
            if (n < 0) {
                break;
            }
            if (onlyOutgoing && !capture.outgoing()) {
                continue; // on lo the same packet comes by again on its way in
            }
            ByteBuffer b = buffer.buffer();
            if (n < EthernetView.HEADER_BYTES + Ipv4View.MIN_HEADER_BYTES || eth.wrap(b, 0).etherType() != EtherTypes.IPV4) {
                continue;
            }
            ip.wrap(b, EthernetView.HEADER_BYTES);
            int l4 = EthernetView.HEADER_BYTES + ip.headerLengthBytes();
            if (ip.protocol() != 6 || n < l4 + TcpView.MIN_HEADER_BYTES) {
                continue;
            }
            tcp.wrap(b, l4);
            out.add(new Wire(new InetSocketAddress(LabTarget.address(ip.source()), tcp.sourcePort()),
                    new InetSocketAddress(LabTarget.address(ip.destination()), tcp.destinationPort()), tcp.flags()));
        }
        return out;
    }

    /**
     * Classic BPF (filter.h): accept unfragmented-or-first IPv4 TCP over Ethernet framing whose source or
     * destination port is {@code port}; drop everything else in the kernel, before it is queued.
     */
    public static long[] tcpPortFilter(int port) {
        return new long[] {
            insn(0x28, 0, 0, 12),          // 0: ldh [12]              EtherType
            insn(0x15, 0, 9, 0x0800),      // 1: jeq #IPv4, 2, 11
            insn(0x30, 0, 0, 23),          // 2: ldb [23]              IP protocol
            insn(0x15, 0, 7, 6),           // 3: jeq #TCP, 4, 11
            insn(0x28, 0, 0, 20),          // 4: ldh [20]              flags and fragment offset
            insn(0x45, 5, 0, 0x1FFF),      // 5: jset #0x1fff, 11, 6   a later fragment: no TCP header
            insn(0xB1, 0, 0, 14),          // 6: ldxb 4*([14]&0xf)     IP header length
            insn(0x48, 0, 0, 14),          // 7: ldh [x+14]            source port
            insn(0x15, 3, 0, port),        // 8: jeq #port, 12, 9
            insn(0x48, 0, 0, 16),          // 9: ldh [x+16]            destination port
            insn(0x15, 1, 0, port),        // 10: jeq #port, 12, 11
            insn(0x06, 0, 0, 0),           // 11: ret #0               drop
            insn(0x06, 0, 0, 0xFFFF),      // 12: ret #65535           keep
        };
    }

    private static long insn(int code, int jt, int jf, int k) {
        return ((long) code << 48) | ((long) jt << 40) | ((long) jf << 32) | (k & 0xFFFF_FFFFL);
    }
}
