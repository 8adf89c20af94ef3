package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.EtherTypes;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TCP segments to and from one port on {@code lo}, as one line each, with sequence and acknowledgement
 * numbers relative to each direction's initial sequence number (as tcpdump prints them): what a socket call
 * just put on the wire. Needs CAP_NET_RAW (a packet socket, packet(7)).
 */
public final class LoopbackWire implements AutoCloseable {
    private static final int SNAP_BYTES = 128;
    private static final int MAX_FRAMES = 1_000;

    private final PacketSocket capture;
    private final NativeBuffer buffer = NativeBuffer.allocate(SNAP_BYTES);
    private final EthernetView eth = new EthernetView();
    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    /** Each direction's initial sequence number, keyed "source > destination", from its SYN. */
    private final Map<String, Long> initial = new HashMap<>();

    private LoopbackWire(PacketSocket capture) {
        this.capture = capture;
    }

    /** Starts capturing TCP to and from {@code port} on lo; the kernel's filter drops everything else. */
    public static LoopbackWire open(int port) throws ErrnoException {
        PacketSocket s = PacketSocket.open(SocketApi.create(), false, Protocol.ETH_P_ALL);
        try {
            s.bindInterface(PacketSocket.interfaceIndex("lo"));
            s.attachFilter(Connections.tcpPortFilter(port));
        } catch (ErrnoException e) {
            s.close();
            throw e;
        }
        return new LoopbackWire(s);
    }

    /** The segments captured since the last call, once none has come for {@code quietMillis}. */
    public List<String> drain(int quietMillis) throws ErrnoException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < MAX_FRAMES; i++) {
            int n = capture.receive(buffer, 0, SNAP_BYTES, quietMillis);
            if (n < 0) {
                break;
            }
            if (!capture.outgoing()) {
                continue; // lo shows every packet twice: on its way out and again on its way in
            }
            String line = describe(buffer.buffer(), n);
            if (line != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    private String describe(ByteBuffer b, int n) {
        if (n < EthernetView.HEADER_BYTES + Ipv4View.MIN_HEADER_BYTES || eth.wrap(b, 0).etherType() != EtherTypes.IPV4) {
            return null;
        }
        ip.wrap(b, EthernetView.HEADER_BYTES);
        int l4 = EthernetView.HEADER_BYTES + ip.headerLengthBytes();
        if (ip.protocol() != 6 || n < l4 + TcpView.MIN_HEADER_BYTES) {
            return null;
        }
        tcp.wrap(b, l4);
        String from = Ipv4Address.text(ip.source()) + ":" + tcp.sourcePort();
        String to = Ipv4Address.text(ip.destination()) + ":" + tcp.destinationPort();
        int flags = tcp.flags();
        int dataBytes = ip.totalLength() - ip.headerLengthBytes() - tcp.headerLengthBytes();
        if ((flags & TcpFlags.SYN) != 0) {
            initial.put(from + " > " + to, tcp.sequenceNumber());
        }
        StringBuilder line = new StringBuilder(from).append(" > ").append(to).append(" [");
        TcpFlags.appendLetters(line, flags).append("] seq=").append(relative(from + " > " + to, tcp.sequenceNumber()));
        if ((flags & TcpFlags.ACK) != 0) {
            line.append(" ack=").append(relative(to + " > " + from, tcp.acknowledgmentNumber()));
        }
        line.append(String.format(Locale.ROOT, " len=%d", dataBytes));
        return line.toString();
    }

    private String relative(String direction, long number) {
        Long isn = initial.get(direction);
        return isn == null ? Long.toString(number) : Long.toString((number - isn) & 0xFFFF_FFFFL);
    }

    @Override
    public void close() throws ErrnoException {
        capture.close();
    }
}
