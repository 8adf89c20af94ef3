package dev.rawsock.junit;

import dev.rawsock.lab.FrameLink;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.lab.TcpSession;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A raw TCP client in a {@link TestLab} (on the lab's {@link TcpSession} and {@link FrameLink}) that drives a
 * real handshake with the code under test and then does something wrong on purpose: never acknowledge,
 * reset mid-stream, advertise a zero window, send segments out of order or overlapping, send malformed
 * options. Each misdeed is one call; what the server did about it is in the lab's {@link Capture}.
 */
public final class MisbehavingPeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final int WINDOW = 64_000;
    /** An MSS option of length 3 (kind 2 needs 4) and an unknown option kind 99 with two bytes. */
    private static final List<TcpOption> MALFORMED_OPTIONS =
            List.of(new TcpOption.Unknown(2, Bytes.of((byte) 5)), new TcpOption.Unknown(99, Bytes.of((byte) 1, (byte) 2)));
    private static final String MALFORMED_WHY = "malformed options on purpose: mss with length 3, unknown kind 99";

    private final FrameLink link;
    private final int remotePort;
    private final int localPort;
    private TcpSession session;
    private int windowBytes = WINDOW;
    private boolean malformedSynOptions;
    private final long isn = 1_000_000;

    MisbehavingPeer(FrameLink link, int remotePort, int localPort) {
        this.link = link;
        this.remotePort = remotePort;
        this.localPort = localPort;
    }

    /** Advertise a zero receive window from the SYN on: the server may not send us a byte. Call before {@link #handshake()}. */
    public MisbehavingPeer zeroWindow() {
        windowBytes = 0;
        return this;
    }

    /**
     * Put malformed options in the SYN itself (after an honest MSS): an MSS option of length 3 (it needs 4) and
     * an unknown kind 99. A TCP must skip what it cannot parse (RFC 9293 §3.2) and still answer. Call before
     * {@link #handshake()}.
     */
    public MisbehavingPeer malformedSynOptions() {
        malformedSynOptions = true;
        return this;
    }

    /** Our end: 198.18.0.1:localPort. */
    public int localPort() {
        return localPort;
    }

    public long isn() {
        return isn;
    }

    /** SYN, SYN-ACK, ACK: an honest handshake (TcpResetException / TcpTimeoutException when the server refuses or is silent). */
    public MisbehavingPeer handshake() throws LabException, ErrnoException {
        TcpSession.Settings settings = new TcpSession.Settings().remote(Lab.TARGET_ADDRESS, remotePort).localPort(localPort)
                .isn(isn).windowBytes(windowBytes).timeout(TIMEOUT).quiet(Duration.ofMillis(100));
        if (malformedSynOptions) {
            settings.extraSynOptions(MALFORMED_OPTIONS, MALFORMED_WHY);
        }
        session = new TcpSession(link, settings, s -> {});
        session.connect();
        return this;
    }

    private TcpSession session() {
        if (session == null || !session.established()) {
            throw new IllegalStateException("handshake() first");
        }
        return session;
    }

    private int window() {
        return Math.min(windowBytes, 0xFFFF);
    }

    /**
     * Sends {@code data} in one segment and never acknowledges anything the server sends back: the server
     * must retransmit, back off, and eventually give up, without our help.
     */
    public MisbehavingPeer sendAndNeverAck(byte[] data) throws ErrnoException {
        TcpSession s = session();
        s.sendSegment(TcpFlags.PSH | TcpFlags.ACK, s.nextSequence(), s.nextExpected(), window(), data, List.of(),
                "our data; from here on we acknowledge nothing (on purpose)");
        return this;
    }

    /** Sends {@code data} honestly and waits for its ACK (the session acknowledges what the server sends meanwhile). */
    public MisbehavingPeer send(byte[] data) throws LabException, ErrnoException {
        session().send(data);
        return this;
    }

    /** Reads the server's answer, acknowledging it (until its FIN or 100 ms of quiet). */
    public byte[] awaitResponse() throws LabException, ErrnoException {
        session().awaitResponse();
        return session.received();
    }

    /**
     * Resets the connection at our next sequence number plus {@code extraSent} (what {@link #sendAndNeverAck}
     * sent beyond the session's own count): the server's next write or read fails with ECONNRESET.
     */
    public MisbehavingPeer resetNow(int extraSent) throws ErrnoException {
        TcpSession s = session();
        s.sendSegment(TcpFlags.RST, s.nextSequence() + extraSent, 0, 0, null, List.of(), "RST mid-stream (on purpose)");
        return this;
    }

    /** Sends {@code data} as two segments, the second half first: the server's TCP must reorder them. */
    public MisbehavingPeer sendOutOfOrder(byte[] data) throws ErrnoException {
        TcpSession s = session();
        int half = data.length / 2;
        long seq = s.nextSequence();
        s.sendSegment(TcpFlags.PSH | TcpFlags.ACK, seq + half, s.nextExpected(), window(), Arrays.copyOfRange(data, half, data.length),
                List.of(), "the second half first (out of order, on purpose)");
        s.sendSegment(TcpFlags.ACK, seq, s.nextExpected(), window(), Arrays.copyOfRange(data, 0, half), List.of(), "then the first half");
        return this;
    }

    /**
     * Sends {@code data} as two segments that overlap by {@code overlap} bytes (the same bytes twice): the
     * server's program must read each byte once.
     */
    public MisbehavingPeer sendOverlapping(byte[] data, int overlap) throws ErrnoException {
        TcpSession s = session();
        int half = data.length / 2;
        int end = Math.min(data.length, half + overlap);
        long seq = s.nextSequence();
        s.sendSegment(TcpFlags.ACK, seq, s.nextExpected(), window(), Arrays.copyOfRange(data, 0, end), List.of(),
                "bytes 0.." + (end - 1));
        s.sendSegment(TcpFlags.PSH | TcpFlags.ACK, seq + half, s.nextExpected(), window(), Arrays.copyOfRange(data, half, data.length),
                List.of(), "bytes " + half + ".. again from " + half + " (overlapping by " + (end - half) + ", on purpose)");
        return this;
    }

    /**
     * Sends {@code data} in a segment whose options are malformed: an MSS option of length 3 (it needs 4) and an
     * unknown option kind 99. The server's TCP must not choke on them.
     */
    public MisbehavingPeer sendWithMalformedOptions(byte[] data) throws ErrnoException {
        TcpSession s = session();
        s.sendSegment(TcpFlags.PSH | TcpFlags.ACK, s.nextSequence(), s.nextExpected(), window(), data, MALFORMED_OPTIONS,
                MALFORMED_WHY);
        return this;
    }

    /** The session underneath, for anything not covered here. */
    public TcpSession session0() {
        return session;
    }
}
