package dev.rawsock.helper;

import dev.rawsock.capture.Filter;
import dev.rawsock.capture.FilterSyntaxException;
import dev.rawsock.capture.Sniffer;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.RealtimeClock;
import dev.rawsock.socket.RawSender;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Layer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One client's connection to the helper, served on its own thread: reads a frame, checks it against the
 * policy, does it, answers, logs it; until the client closes, breaks the framing or stays idle too long.
 * Everything the client opened (raw socket, capture, lab) is closed when the connection ends.
 */
final class HelperSession implements Runnable {
    private static final int SNAP_MIN = 64;
    private static final int SNAP_MAX = 65_535;
    private static final long MAX_CAPTURE_FRAMES = 1_000_000;
    /** A SEND may keep its connection busy this long at most (count / rate). */
    static final long MAX_SEND_SECONDS = 60;

    private final HelperServer server;
    private final Connection connection;
    private final PeerCredentials peer;
    private final Policy policy;
    private final AuditLog audit;
    private final RealtimeClock clock = new RealtimeClock();
    private RawSender hostSender;
    private RawSender labSender;
    private NativeBuffer packetBuffer;
    private volatile Lab lab;
    private volatile boolean closed;

    HelperSession(HelperServer server, Connection connection, PeerCredentials peer) {
        this.server = server;
        this.connection = connection;
        this.peer = peer;
        this.policy = server.policy();
        this.audit = server.audit();
    }

    PeerCredentials peer() {
        return peer;
    }

    /** This connection's open lab, or null (read by the capture of another connection of the same uid). */
    Lab lab() {
        return lab;
    }

    @Override
    public void run() {
        String end = "closed by the client";
        try {
            while (!closed) {
                Protocol.Frame frame;
                try {
                    frame = connection.read(server.idleMillis(), server.frameMillis());
                } catch (EOFException e) {
                    break;
                } catch (Connection.IdleException e) {
                    end = "closed: idle (" + e.getMessage() + ")";
                    break;
                } catch (Connection.FramingException e) {
                    audit.log(peer, "(broken frame)", "error: " + e.getMessage());
                    reply(0, Protocol.ERROR, Protocol.error(Protocol.E_MALFORMED, "framing", e.getMessage() + "; closing the connection"));
                    end = "closed: broken framing";
                    break;
                }
                handle(frame);
            }
        } catch (IOException e) {
            end = closed ? "closed by the helper" : "closed: " + e.getMessage();
        } catch (RuntimeException e) {
            end = "closed: internal error " + e; // this client only: its state may be inconsistent now
            try {
                reply(0, Protocol.ERROR, Protocol.error(Protocol.E_FAILED, "internal", "internal error in the helper (" + e
                        + "); closing the connection"));
            } catch (IOException | RuntimeException ignored) {
                // the client is gone as well
            }
        } finally {
            release();
            audit.log(peer, "DISCONNECT", end);
            server.ended(this);
        }
    }

    private void handle(Protocol.Frame frame) throws IOException {
        String type = Protocol.typeName(frame.type());
        if (frame.version() != Protocol.VERSION) {
            refuse(frame, type, Protocol.E_VERSION, "version", "protocol version " + frame.version() + " is not supported (this helper speaks "
                    + Protocol.VERSION + ")");
            return;
        }
        try {
            switch (frame.type()) {
                case Protocol.HELLO -> hello(frame);
                case Protocol.SEND -> send(frame);
                case Protocol.CAPTURE -> capture(frame);
                case Protocol.LAB_OPEN -> labOpen(frame);
                case Protocol.LAB_CLOSE -> labClose(frame);
                case Protocol.CAPTURE_STOP -> { } // no capture runs: nothing to stop (it may have ended on its own)
                default -> refuse(frame, type, Protocol.E_TYPE, "type", "unknown request " + type);
            }
        } catch (Protocol.MalformedException e) {
            refuse(frame, type, Protocol.E_MALFORMED, "malformed", e.getMessage());
        } catch (ErrnoException | LabException e) {
            refuse(frame, type, Protocol.E_FAILED, "failed", e.getMessage());
        }
    }

    private void hello(Protocol.Frame frame) throws IOException, Protocol.MalformedException {
        new Protocol.Reader("HELLO", frame.body()).end();
        String summary = policy.summary();
        reply(frame.requestId(), Protocol.HELLO_OK, new Protocol.Writer(32 + 3 * summary.length())
                .u32(peer.uid()).u32(peer.gid()).u32(peer.pid()).u32(policy.maxPacketsPerSecond()).u32(policy.maxCaptureMillis())
                .string16(summary).done());
        audit.log(peer, "HELLO", "ok");
    }

    private void send(Protocol.Frame frame) throws IOException, Protocol.MalformedException, ErrnoException, LabException {
        Protocol.Reader r = new Protocol.Reader("SEND", frame.body());
        long count = r.u32("count");
        long rate = r.u32("rate");
        ByteBuffer packet = r.rest();
        if (count < 1 || count > Protocol.MAX_SEND_COUNT) {
            throw new Protocol.MalformedException("SEND: field 'count' is " + count + ", not 1-" + Protocol.MAX_SEND_COUNT);
        }
        String what = "SEND " + describe(packet) + " count=" + count + (rate > 0 ? " rate=" + rate : "");
        List<Prefix> extra = lab != null ? List.of(Prefix.LABS) : List.of();
        Policy.Refusal refusal = policy.check(packet, extra);
        if (refusal == null) {
            refusal = policy.checkRate(count, rate);
        }
        long effectiveRate = rate > 0 ? rate : policy.maxPacketsPerSecond();
        if (refusal == null && count > effectiveRate * MAX_SEND_SECONDS) {
            refusal = new Policy.Refusal("max-send-seconds=" + MAX_SEND_SECONDS, count + " packets at " + effectiveRate
                    + " packets/s would take longer");
        }
        if (refusal != null) {
            refuse(frame, what, Protocol.E_REFUSED, refusal.rule(), refusal.message());
            return;
        }
        int destination = packet.getInt(packet.position() + 16);
        RawSender sender = senderFor(destination);
        int length = packet.remaining();
        packetBuffer.buffer().put(0, packet, packet.position(), length);
        long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        long start = System.nanoTime();
        long firstSentNanos = 0;
        long sent = 0;
        for (; sent < count; sent++) {
            if (interval > 0) {
                pause(start + sent * interval - System.nanoTime());
            }
            long wait = server.limiter().reserve(peer.uid(), length);
            if (wait < 0) {
                Policy.Refusal over = new Policy.Refusal("max-pps=" + policy.maxPacketsPerSecond() + ",max-bps=" + policy.maxBytesPerSecond(),
                        "this uid is over its rate (sent " + sent + " of " + count + ")");
                refuse(frame, what, Protocol.E_REFUSED, over.rule(), over.message());
                return;
            }
            pause(wait);
            if (sent == 0) {
                firstSentNanos = clock.nanos();
            }
            sender.send(packetBuffer, 0, length, destination);
        }
        reply(frame.requestId(), Protocol.SENT, new Protocol.Writer(12).u32(sent).u64(firstSentNanos).done());
        audit.log(peer, what, "ok");
    }

    private static void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        long left;
        while ((left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private RawSender senderFor(int destination) throws ErrnoException, LabException {
        if (packetBuffer == null) {
            packetBuffer = NativeBuffer.allocate(Protocol.MAX_FRAME_BYTES);
        }
        if (lab != null && Prefix.LABS.contains(destination)) {
            if (labSender == null) {
                labSender = Lab.callIn(lab.craftingNamespace(), () -> RawSender.open(SocketApi.create()));
            }
            return labSender;
        }
        if (hostSender == null) {
            hostSender = RawSender.open(SocketApi.create());
        }
        return hostSender;
    }

    private static String describe(ByteBuffer packet) {
        int at = packet.position();
        if (packet.remaining() < 20) {
            return "bytes=" + packet.remaining();
        }
        return "src=" + Ipv4Address.text(packet.getInt(at + 12)) + " dst=" + Ipv4Address.text(packet.getInt(at + 16)) + " proto="
                + Policy.protocolName(packet.get(at + 9) & 0xFF) + " bytes=" + packet.remaining();
    }

    private void capture(Protocol.Frame frame) throws IOException, Protocol.MalformedException, ErrnoException, LabException {
        Protocol.Reader r = new Protocol.Reader("CAPTURE", frame.body());
        long durationMillis = r.u32("duration");
        long maxFrames = r.u32("max frames");
        int snap = r.u16("snap length");
        int where = r.u8("where");
        String iface = r.string8("interface");
        String filterText = r.string16("filter");
        r.end();
        String what = "CAPTURE " + (where == Protocol.WHERE_LAB ? "lab " : "") + (iface.isEmpty() ? "all" : iface)
                + " '" + filterText + "' " + durationMillis + "ms";
        if (durationMillis < 1) {
            throw new Protocol.MalformedException("CAPTURE: field 'duration' is 0 (1 ms or more)");
        }
        if (maxFrames < 1 || maxFrames > MAX_CAPTURE_FRAMES) {
            throw new Protocol.MalformedException("CAPTURE: field 'max frames' is " + maxFrames + ", not 1-" + MAX_CAPTURE_FRAMES);
        }
        if (snap < SNAP_MIN || snap > SNAP_MAX) {
            throw new Protocol.MalformedException("CAPTURE: field 'snap length' is " + snap + ", not " + SNAP_MIN + "-" + SNAP_MAX);
        }
        if (where != Protocol.WHERE_HOST && where != Protocol.WHERE_LAB) {
            throw new Protocol.MalformedException("CAPTURE: field 'where' is " + where + ", not 0 (host) or 1 (lab)");
        }
        Policy.Refusal refusal = policy.checkCapture(durationMillis);
        Lab captureLab = where == Protocol.WHERE_LAB ? server.labOf(peer.uid()) : null;
        if (refusal == null && where == Protocol.WHERE_LAB && captureLab == null) {
            refusal = new Policy.Refusal("lab", "uid " + peer.uid() + " has no lab open (LAB_OPEN first, on any of its connections)");
        }
        if (refusal != null) {
            refuse(frame, what, Protocol.E_REFUSED, refusal.rule(), refusal.message());
            return;
        }
        Filter filter;
        Sniffer.Settings settings;
        try {
            filter = Filter.parse(filterText);
            settings = new Sniffer.Settings(iface.isEmpty() ? null : iface, null, filter, false, snap);
            Sniffer.plan(settings);
        } catch (FilterSyntaxException e) {
            throw new Protocol.MalformedException("CAPTURE: filter: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Protocol.MalformedException("CAPTURE: " + e.getMessage());
        }
        Sniffer sniffer = captureLab != null
                ? Lab.callIn(captureLab.craftingNamespace(), () -> Sniffer.open(SocketApi.create(), settings))
                : Sniffer.open(SocketApi.create(), settings);
        List<Prefix> extra = lab != null || captureLab != null ? List.of(Prefix.LABS) : List.of();
        long[] counts = new long[2]; // forwarded, withheld
        Sniffer.Counts result;
        try {
            reply(frame.requestId(), Protocol.CAPTURE_STARTED, new Protocol.Writer(4).u16(sniffer.plan().linkType().value()).done());
            audit.log(peer, what, "started");
            result = sniffer.run(maxFrames, durationMillis * 1_000_000L, new Sniffer.Listener() {
                @Override
                public void packet(DecodedPacket p, long timestampNanos) throws IOException {
                    if (!visible(p, extra)) {
                        counts[1]++;
                        return;
                    }
                    counts[0]++;
                    ByteBuffer frameBytes = p.buffer().duplicate();
                    frameBytes.limit(p.frameOffset() + p.capturedLength()).position(p.frameOffset());
                    reply(frame.requestId(), Protocol.FRAME, new Protocol.Writer(13 + p.capturedLength()).u64(timestampNanos)
                            .u32(p.originalLength()).u8(p.isChecksumOffloaded() ? 1 : 0).bytes(frameBytes).done());
                    if ((counts[0] & 63) == 0) {
                        idle();
                    }
                }

                @Override
                public void idle() throws IOException {
                    if (closed || connection.readable()) {
                        sniffer.stop(); // CAPTURE_STOP, or the client went away
                    }
                }

                @Override
                public void progress(Sniffer.Counts c) {
                    try {
                        idle(); // about once a second even when nothing arrives
                    } catch (IOException e) {
                        sniffer.stop();
                    }
                }
            });
        } finally {
            sniffer.close();
        }
        reply(frame.requestId(), Protocol.CAPTURE_END, new Protocol.Writer(24).u64(counts[0]).u64(result.kernelDrops()).u64(counts[1]).done());
        audit.log(peer, what, "ok: " + counts[0] + " frames, " + counts[1] + " withheld (outside the allowed prefixes), "
                + result.kernelDrops() + " dropped by the kernel");
    }

    /** A client sees only IPv4 packets from or to its allowed prefixes. */
    private boolean visible(DecodedPacket p, List<Prefix> extra) {
        if (!p.has(Layer.IPV4)) {
            return false;
        }
        int at = p.offset(Layer.IPV4);
        ByteBuffer b = p.buffer();
        if (at + 20 > p.frameOffset() + p.capturedLength()) {
            return false;
        }
        return policy.allowed(b.getInt(at + 12), extra) || policy.allowed(b.getInt(at + 16), extra);
    }

    private void labOpen(Protocol.Frame frame) throws IOException, Protocol.MalformedException, LabException {
        new Protocol.Reader("LAB_OPEN", frame.body()).end();
        if (lab != null) {
            refuse(frame, "LAB_OPEN", Protocol.E_REFUSED, "lab", "refused by rule lab: this connection has a lab open already ("
                    + lab.name() + ")");
            return;
        }
        lab = Lab.create(Lab.Topology.directWithAddresses());
        reply(frame.requestId(), Protocol.LAB_OPENED, new Protocol.Writer(300).string8(lab.name()).u32(lab.craftingAddress())
                .u32(lab.targetAddress()).done());
        audit.log(peer, "LAB_OPEN", "ok: " + lab.name());
    }

    private void labClose(Protocol.Frame frame) throws IOException, Protocol.MalformedException, LabException {
        new Protocol.Reader("LAB_CLOSE", frame.body()).end();
        if (lab == null) {
            refuse(frame, "LAB_CLOSE", Protocol.E_REFUSED, "lab", "refused by rule lab: no lab is open on this connection");
            return;
        }
        String name = lab.name();
        closeLab();
        reply(frame.requestId(), Protocol.LAB_CLOSED, ByteBuffer.allocate(0));
        audit.log(peer, "LAB_CLOSE", "ok: " + name);
    }

    private void closeLab() throws LabException {
        Lab l = lab;
        lab = null;
        RawSender s = labSender;
        labSender = null;
        if (s != null) {
            try {
                s.close();
            } catch (ErrnoException ignored) {
                // the namespace goes with the lab anyway
            }
        }
        if (l != null) {
            l.close();
        }
    }

    private void refuse(Protocol.Frame frame, String what, int code, String rule, String message) throws IOException {
        audit.log(peer, what, message.startsWith("refused by rule ") ? message : (code == Protocol.E_REFUSED ? "refused: " : "error: ") + message);
        reply(frame.requestId(), Protocol.ERROR, Protocol.error(code, rule, message));
    }

    private void reply(int requestId, int type, ByteBuffer body) throws IOException {
        connection.write(type, requestId, body);
    }

    /** Ends the session from another thread (helper shutdown): its blocking waits end within a poll. */
    void close() {
        closed = true;
        connection.shutdown();
    }

    private synchronized void release() {
        connection.close();
        try {
            closeLab();
        } catch (LabException ignored) {
            // Lab.close removes what it can; its own shutdown hook and the next lab remove the rest
        }
        if (hostSender != null) {
            try {
                hostSender.close();
            } catch (ErrnoException ignored) {
                // closing a raw socket does not fail in a way we could act on
            }
            hostSender = null;
        }
        server.limiter().leave(peer.uid());
    }
}
