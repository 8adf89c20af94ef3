package dev.rawsock.helper;

import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.Ipv4Sender;
import jnr.unixsocket.UnixSocketChannel;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection to the privileged helper: send assembled IPv4 packets (the helper checks each against its
 * policy and sends it on its own raw socket), capture, open and close a lab. Requests are answered in
 * order; a refusal or failure comes back as a {@link HelperException} naming the rule, and the connection
 * stays usable. A capture runs on a connection of its own ({@link #capture}), so sends can go on meanwhile.
 *
 * <pre>{@code
 * try (HelperClient helper = HelperClient.connect("/run/rawsock.sock")) {
 *     helper.send(packetBytes, 1, 0);
 * }
 * }</pre>
 */
public final class HelperClient implements Ipv4Sender {
    /** The environment variable naming the helper's socket (as --helper does). */
    public static final String ENVIRONMENT = "RAWSOCK_HELPER";
    private static final long RESPONSE_MILLIS = 120_000;
    private static final long FRAME_MILLIS = 5_000;

    /** What HELLO tells: who the helper sees, and its policy in one line. */
    public record Hello(int uid, int gid, int pid, long maxPacketsPerSecond, long maxCaptureMillis, String policy) {}

    /** SENT: how many copies went, and CLOCK_REALTIME just before the first. */
    public record Sent(long count, long firstSentNanos) {}

    /** A lab the helper opened for this connection. */
    public record LabInfo(String name, int craftingAddress, int targetAddress) {}

    private final String path;
    private final Connection connection;
    private final ByteBuffer single = ByteBuffer.allocate(65_535);
    private int nextRequestId = 1;

    private HelperClient(String path, Connection connection) {
        this.path = path;
        this.connection = connection;
    }

    /** The helper socket from {@code option} (e.g. --helper), else from $RAWSOCK_HELPER; null when neither is set. */
    public static String configuredPath(String option) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String env = System.getenv(ENVIRONMENT);
        return env == null || env.isBlank() ? null : env;
    }

    /** Connects to the helper at {@code path} ('@name': abstract); HelperException(UNREACHABLE) when nothing answers. */
    public static HelperClient connect(String path) {
        try {
            UnixSocketChannel channel = UnixSocketChannel.open(SocketFile.address(path));
            return new HelperClient(path, new Connection(channel, FRAME_MILLIS));
        } catch (IOException e) {
            throw new HelperException(HelperException.UNREACHABLE, "", "the helper at " + path + " does not answer (" + e.getMessage()
                    + "): start it with 'sudo rawsock helper --socket " + path + "'", e);
        }
    }

    public String path() {
        return path;
    }

    public Hello hello() {
        Protocol.Frame f = request(Protocol.HELLO, ByteBuffer.allocate(0), Protocol.HELLO_OK);
        return parse(f, r -> new Hello((int) r.u32("uid"), (int) r.u32("gid"), (int) r.u32("pid"), r.u32("max pps"),
                r.u32("max capture"), r.string16("policy")));
    }

    /** Asks the helper to send {@code count} copies of {@code packet} at {@code ratePps} (0: as fast as its rate limit lets). */
    public Sent send(ByteBuffer packet, long count, long ratePps) {
        ByteBuffer body = ByteBuffer.allocate(8 + packet.remaining()).putInt((int) count).putInt((int) ratePps).put(packet.duplicate()).flip();
        Protocol.Frame f = request(Protocol.SEND, body, Protocol.SENT);
        return parse(f, r -> new Sent(r.u32("sent"), r.u64("first sent")));
    }

    /** {@link Ipv4Sender}: one packet, through the helper (the destination is read from the packet by the helper). */
    @Override
    public int send(NativeBuffer packet, int offset, int length, int destinationAddress) {
        single.clear();
        ByteBuffer b = packet.buffer().duplicate();
        b.limit(offset + length).position(offset);
        single.put(b).flip();
        send(single, 1, 0);
        return length;
    }

    public LabInfo labOpen() {
        Protocol.Frame f = request(Protocol.LAB_OPEN, ByteBuffer.allocate(0), Protocol.LAB_OPENED);
        return parse(f, r -> new LabInfo(r.string8("name"), (int) r.u32("crafting"), (int) r.u32("target")));
    }

    public void labClose() {
        request(Protocol.LAB_CLOSE, ByteBuffer.allocate(0), Protocol.LAB_CLOSED);
    }

    /** What to capture: {@code iface} "" for all interfaces; {@code inLab}: in this connection's lab. */
    public record CaptureRequest(long durationMillis, long maxFrames, int snapLength, boolean inLab, String iface, String filter) {}

    /**
     * Starts a capture on a connection of its own; frames are read from the returned stream. The helper's
     * refusal (duration over max-capture, a bad filter) comes back as a HelperException here.
     */
    public static CaptureStream capture(String path, CaptureRequest request) {
        HelperClient c = connect(path);
        try {
            ByteBuffer body = new Protocol.Writer(16 + 255 * 3 + request.filter().length() * 3).u32(request.durationMillis())
                    .u32(request.maxFrames()).u16(request.snapLength()).u8(request.inLab() ? Protocol.WHERE_LAB : Protocol.WHERE_HOST)
                    .string8(request.iface()).string16(request.filter()).done();
            Protocol.Frame started = c.request(Protocol.CAPTURE, body, Protocol.CAPTURE_STARTED);
            int linkType = parse(started, r -> r.u16("link type"));
            return new CaptureStream(c, started.requestId(), linkType);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** This connection's capture: frames as they come, then the end. */
    public static final class CaptureStream implements AutoCloseable {
        /** One frame: CLOCK_REALTIME receive time, length on the wire, whether the kernel left its checksum to offload, its bytes. */
        public record Frame(long timestampNanos, int originalLength, boolean checksumOffloaded, ByteBuffer bytes) {}

        /** CAPTURE_END: frames forwarded, dropped by the kernel, withheld by the helper (outside the allowed prefixes). */
        public record End(long frames, long kernelDrops, long withheld) {}

        private final HelperClient client;
        private final int requestId;
        private final int linkType;
        private End end;
        private boolean stopSent;

        private CaptureStream(HelperClient client, int requestId, int linkType) {
            this.client = client;
            this.requestId = requestId;
            this.linkType = linkType;
        }

        /** The pcap link type of the frames (dev.rawsock.capture.LinkType values). */
        public int linkType() {
            return linkType;
        }

        /** The next frame, waiting up to {@code timeoutMillis}; null on timeout or at the end (see {@link #end()}). */
        public Frame next(long timeoutMillis) {
            if (end != null) {
                return null;
            }
            Protocol.Frame f;
            try {
                f = client.connection.read(timeoutMillis, FRAME_MILLIS);
            } catch (Connection.IdleException e) {
                return null;
            } catch (IOException e) {
                throw client.lost(e);
            }
            client.check(f, requestId);
            if (f.type() == Protocol.CAPTURE_END) {
                end = parse(f, r -> new End(r.u64("frames"), r.u64("kernel drops"), r.u64("withheld")));
                return null;
            }
            if (f.type() != Protocol.FRAME) {
                throw client.unexpected(f, Protocol.FRAME);
            }
            return parse(f, r -> new Frame(r.u64("timestamp"), (int) r.u32("original length"), r.u8("flags") != 0, r.rest()));
        }

        /** The end message, once the capture has ended (null before). */
        public End end() {
            return end;
        }

        /** Asks the helper to end the capture now; {@link #next} then drains to the end. */
        public void stop() {
            if (end == null && !stopSent) {
                stopSent = true;
                try {
                    client.connection.write(Protocol.CAPTURE_STOP, requestId, ByteBuffer.allocate(0));
                } catch (IOException e) {
                    throw client.lost(e);
                }
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private interface Parse<T> {
        T from(Protocol.Reader r) throws Protocol.MalformedException;
    }

    private static <T> T parse(Protocol.Frame f, Parse<T> body) {
        Protocol.Reader r = new Protocol.Reader(Protocol.typeName(f.type()), f.body());
        try {
            return body.from(r);
        } catch (Protocol.MalformedException e) {
            throw new HelperException(Protocol.E_MALFORMED, "", "the helper's answer does not parse: " + e.getMessage());
        }
    }

    private Protocol.Frame request(int type, ByteBuffer body, int expected) {
        int id = nextRequestId++;
        Protocol.Frame f;
        try {
            connection.write(type, id, body);
        } catch (IOException e) {
            throw pendingError(e); // e.g. the helper refused this uid at connect, said why and closed
        }
        try {
            f = connection.read(RESPONSE_MILLIS, FRAME_MILLIS);
        } catch (IOException e) {
            throw lost(e);
        }
        check(f, id);
        if (f.type() != expected) {
            throw unexpected(f, expected);
        }
        return f;
    }

    /** Throws the helper's ERROR as a HelperException; checks the version and request id. */
    private void check(Protocol.Frame f, int id) {
        if (f.version() != Protocol.VERSION) {
            throw new HelperException(Protocol.E_VERSION, "", "the helper at " + path + " speaks protocol version " + f.version()
                    + ", this client " + Protocol.VERSION);
        }
        if (f.type() == Protocol.ERROR) {
            Protocol.Reader r = new Protocol.Reader("ERROR", f.body());
            try {
                int code = r.u16("code");
                String rule = r.string8("rule");
                String message = r.string16("message");
                throw new HelperException(code, rule, "the helper at " + path + ": " + message);
            } catch (Protocol.MalformedException e) {
                throw new HelperException(Protocol.E_MALFORMED, "", "the helper's error does not parse: " + e.getMessage());
            }
        }
        if (f.requestId() != id) {
            throw new HelperException(Protocol.E_MALFORMED, "", "the helper answered request " + f.requestId() + ", expected " + id);
        }
    }

    private HelperException unexpected(Protocol.Frame f, int expected) {
        return new HelperException(Protocol.E_MALFORMED, "", "the helper answered " + Protocol.typeName(f.type()) + ", expected "
                + Protocol.typeName(expected));
    }

    /** After a failed write: the ERROR the helper sent before closing, if there is one. */
    private HelperException pendingError(IOException writeFailure) {
        try {
            Protocol.Frame f = connection.read(1_000, FRAME_MILLIS);
            check(f, f.requestId());
        } catch (HelperException e) {
            return e;
        } catch (IOException | RuntimeException ignored) {
            // nothing (whole) was waiting
        }
        return lost(writeFailure);
    }

    private HelperException lost(IOException e) {
        String why = e instanceof EOFException ? "it closed the connection" : e.getMessage();
        return new HelperException(Protocol.E_FAILED, "", "lost the helper at " + path + ": " + why, e);
    }

    /** The connection, for tests that send frames of their own making. */
    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
    }
}
