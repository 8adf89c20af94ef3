package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Protocol;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.EtherTypes;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One TCP connection driven by hand, segment by segment, over a {@link FrameLink}: the SYN, SYN-ACK, ACK
 * handshake, data sent and acknowledged, the server's data read in order and acknowledged, and the close
 * (FIN both ways, or RST). Every segment, sent or received, is handed to a {@link Listener} with its
 * numbers explained: relative sequence numbers and the arithmetic behind each acknowledgment, e.g.
 * {@code ack=1001 = their seq 1000 + 1 for SYN} and {@code ack=1019 = our seq 1001 + 18 bytes of data}.
 *
 * <p>What it does, as a minimal RFC 9293 endpoint: sequence numbers modulo 2^32; MSS, window scale (RFC
 * 7323 §2: used only when both sides offer it; never in a SYN's window), SACK-permitted (offered only:
 * everything arrives in order on the lab's wire, so no SACK blocks are ever sent) and timestamps (RFC
 * 7323 §3: once agreed, on every segment, echoing the peer's latest value). It sends no more than the
 * peer's MSS and window allow. It keeps no out-of-order data (a gap is answered with a duplicate ACK) and
 * never retransmits: a lost segment shows as a timeout that says what was awaited. Every wait is bounded
 * by the timeout, every loop by a count.
 *
 * <p>Faults, on purpose: a wrong checksum on the SYN, the handshake's ACK, the first data segment or the
 * FIN ({@link Settings#badChecksum}), and a wrong acknowledgment number in the handshake's ACK
 * ({@link Settings#ackOffset}); the session then reports how the kernel handled it.
 */
public final class TcpSession {
    public enum Direction { SENT, RECEIVED }

    /** Which of our segments carries a wrong checksum on purpose. */
    public enum BadChecksum { NONE, SYN, ACK, DATA, FIN }

    /** One segment as it went by, with the notes that explain its numbers. */
    public record Segment(Direction direction, long elapsedNanos, int flags, long seq, long ack, int window,
                          int payloadLength, byte[] frame, List<String> notes) {
        public Segment {
            notes = List.copyOf(notes);
        }

        public boolean has(int flag) {
            return (flags & flag) == flag;
        }
    }

    /** Told about every segment and event, in order. */
    public interface Listener {
        void segment(Segment segment);

        default void note(String text) {}
    }

    /** How to talk: addresses, ports, initial sequence number, offered options, time limits and faults. */
    public static final class Settings {
        int localAddress = Lab.CRAFTING_ADDRESS;
        long localMac = Lab.CRAFTING_MAC;
        int remoteAddress = Lab.TARGET_ADDRESS;
        long remoteMac = Lab.TARGET_MAC;
        int localPort = 40000;
        int remotePort = LabTarget.HTTP_PORT;
        long isn = 1000;
        int windowBytes = 64240;
        int mss = 1460;
        int windowScale = -1;
        boolean sack;
        boolean timestamps;
        long timestampOffset = 1;
        int ipIdentification = 1;
        Duration timeout = Duration.ofSeconds(2);
        Duration quiet = Duration.ofMillis(250);
        BadChecksum badChecksum = BadChecksum.NONE;
        long ackOffset;
        List<TcpOption> extraSynOptions = List.of();
        String extraSynOptionsWhy = "";

        public Settings localPort(int port) {
            this.localPort = check("local port", port, 0, 0xFFFF);
            return this;
        }

        public Settings remote(int address, int port) {
            this.remoteAddress = address;
            this.remotePort = check("remote port", port, 0, 0xFFFF);
            return this;
        }

        /** Our initial sequence number (ISN). */
        public Settings isn(long isn) {
            this.isn = isn & 0xFFFF_FFFFL;
            return this;
        }

        /** Our receive window in bytes: the SYN's window field (at most 65535), then shifted by our window scale. */
        public Settings windowBytes(int bytes) {
            this.windowBytes = check("window", bytes, 0, 0x3FFF_C000);
            return this;
        }

        /** The MSS we offer in the SYN; -1 offers none (the peer then assumes 536). */
        public Settings mss(int mss) {
            this.mss = check("mss", mss, -1, 0xFFFF);
            return this;
        }

        /** The window scale shift we offer (0-14), or -1 for none. */
        public Settings windowScale(int shift) {
            this.windowScale = check("wscale", shift, -1, 14);
            return this;
        }

        public Settings sack(boolean offer) {
            this.sack = offer;
            return this;
        }

        public Settings timestamps(boolean offer) {
            this.timestamps = offer;
            return this;
        }

        /** Added to our millisecond clock for TSval (a random offset, as Linux uses per connection). */
        public Settings timestampOffset(long offset) {
            this.timestampOffset = offset & 0xFFFF_FFFFL;
            return this;
        }

        public Settings ipIdentification(int first) {
            this.ipIdentification = first & 0xFFFF;
            return this;
        }

        /** The longest any one wait lasts. */
        public Settings timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be above 0 but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** How long the server may stay silent after sending data before we take its answer as complete. */
        public Settings quiet(Duration quiet) {
            this.quiet = quiet;
            return this;
        }

        public Settings badChecksum(BadChecksum which) {
            this.badChecksum = which;
            return this;
        }

        /** Added to the acknowledgment number of the handshake's ACK (0: right; anything else: wrong on purpose). */
        public Settings ackOffset(long offset) {
            this.ackOffset = offset;
            return this;
        }

        /**
         * Options appended to the SYN's own exactly as given, e.g. malformed on purpose (an MSS of length 3, an
         * unknown kind); {@code why} is printed with the SYN. At most 40 option bytes fit (RFC 9293 §3.1).
         */
        public Settings extraSynOptions(List<TcpOption> options, String why) {
            this.extraSynOptions = List.copyOf(options);
            this.extraSynOptionsWhy = why;
            return this;
        }

        private static int check(String what, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be " + min + "-" + max + " but was " + value);
            }
            return value;
        }
    }

    private static final int ETH = EthernetView.HEADER_BYTES;
    private static final int TCP = Protocol.IPPROTO_TCP.number;
    private static final int IP_HEADER = Ipv4View.MIN_HEADER_BYTES;
    private static final int MAX_SEGMENTS_PER_WAIT = 10_000;
    private static final int MAX_OPTION_BYTES = 40;
    private static final int DEFAULT_PEER_MSS = 536;
    private static final int LINK_MTU = 1500; // veth's default, which the lab keeps // RFC 9293 §3.7.1, when the SYN carries no MSS

    private final FrameLink link;
    private final Settings s;
    private final Listener listener;
    private final EthernetView eth = new EthernetView();
    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final List<Segment> transcript = new ArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    /** How much we had received when the last send() began (-1: no send since the last awaitResponse). */
    private int answerStart = -1;

    private long start;
    private int ipId;
    // Our side (RFC 9293 names): initial send sequence, oldest unacknowledged, next to send.
    private final long iss;
    private long sndUna;
    private long sndNxt;
    // Their side: initial receive sequence, next expected.
    private long irs;
    private long rcvNxt;
    private int theirMss = DEFAULT_PEER_MSS;
    private int theirShift = -1;
    private boolean scaling;
    private long theirWindow;
    private boolean sackAgreed;
    private boolean timestampsAgreed;
    private long tsRecent;
    private boolean established;
    private boolean theirFinReceived;
    private boolean ourFinSent;
    private long ourFinSeq;
    private boolean weClosedFirst;
    private boolean windowExplained;
    private long bytesSent;

    public TcpSession(FrameLink link, Settings settings, Listener listener) {
        this.link = link;
        this.s = settings;
        this.listener = listener;
        this.iss = settings.isn;
        this.ipId = settings.ipIdentification;
    }

    // ---- the conversation ----

    /** SYN, SYN-ACK, ACK. Throws TcpResetException when refused, TcpTimeoutException when no SYN-ACK came. */
    public void connect() throws LabException, ErrnoException {
        start = System.nanoTime();
        sndUna = iss;
        sndNxt = iss;
        List<String> notes = new ArrayList<>();
        notes.add("seq=" + iss + " (rel 0): our initial sequence number (ISN); a SYN counts as one byte of sequence space, so our data will start at " + add(iss, 1));
        List<TcpOption> options = synOptions(notes);
        int window = Math.min(s.windowBytes, 0xFFFF);
        notes.add("win=" + window + ": our receive window in bytes (a SYN's window is never scaled)");
        boolean bad = s.badChecksum == BadChecksum.SYN;
        send(TcpFlags.SYN, iss, 0, window, null, 0, 0, options, bad, notes);
        sndNxt = add(iss, 1);

        long deadline = deadline();
        boolean synAck = false;
        for (int i = 0; !synAck && i < MAX_SEGMENTS_PER_WAIT; i++) {
            Incoming in = await(deadline);
            if (in == null) {
                throw new TcpTimeoutException("the SYN-ACK to our SYN", "no SYN-ACK from " + remoteText() + " within "
                        + millis(s.timeout) + " (waited for SYN+ACK with ack=" + add(iss, 1) + ")"
                        + (bad ? ": our SYN carried a wrong checksum on purpose (--badsum syn), and Linux drops such a segment without a word"
                               : ": is anything there? (the lab's target listens on 7 and 80)"));
            }
            List<String> n = new ArrayList<>();
            if (!in.checksumOk) {
                n.add("wrong TCP checksum: ignored, as a kernel would");
                report(in, n);
                continue;
            }
            if (in.has(TcpFlags.RST)) {
                if (in.has(TcpFlags.ACK) && in.ack == add(iss, 1)) {
                    n.add("RST+ACK, ack=" + in.ack + " = our seq " + iss + " + 1 for SYN: nothing listens on port " + s.remotePort
                            + ", and Linux refuses a SYN to a closed port with a reset");
                    report(in, n);
                    throw new TcpResetException(true, "connection refused: " + remoteText() + " answered our SYN with RST+ACK (nothing listens there;"
                            + " the lab's target listens on 7 and 80)");
                }
                n.add("RST that does not acknowledge our SYN (ack should be " + add(iss, 1) + "): ignored (RFC 9293 §3.10.7.3)");
                report(in, n);
                continue;
            }
            if (in.has(TcpFlags.SYN | TcpFlags.ACK)) {
                if (in.ack != add(iss, 1)) {
                    n.add("ack=" + in.ack + " does not acknowledge our SYN (it should be " + iss + " + 1 = " + add(iss, 1) + "): ignored");
                    report(in, n);
                    continue;
                }
                irs = in.seq;
                rcvNxt = add(irs, 1);
                sndUna = in.ack;
                n.add("seq=" + irs + " (rel 0): their initial sequence number; their SYN, too, counts as one byte");
                n.add("ack=" + in.ack + " (rel 1) = our seq " + iss + " + 1 for SYN");
                agreeOptions(in, n);
                theirWindow = in.window; // never scaled in a SYN
                n.add("win=" + in.window + ": their receive window in bytes (a SYN-ACK's window is never scaled)");
                report(in, n);
                synAck = true;
                continue;
            }
            n.add("not a SYN-ACK: ignored while we wait for one");
            report(in, n);
        }
        if (!synAck) {
            throw new TcpTimeoutException("the SYN-ACK to our SYN", "too many other segments while waiting for the SYN-ACK");
        }

        long ackValue = add(rcvNxt, s.ackOffset);
        List<String> a = new ArrayList<>();
        a.add("seq=" + sndNxt + " (rel 1): right after our SYN");
        if (s.ackOffset == 0) {
            a.add("ack=" + ackValue + " (rel 1) = their seq " + irs + " + 1 for SYN");
        } else {
            a.add("ack=" + ackValue + " = their seq " + irs + " + 1 for SYN " + (s.ackOffset > 0 ? "+ " : "- ") + Math.abs(s.ackOffset)
                    + ": wrong on purpose (--ack-offset " + s.ackOffset + "); the right value is " + rcvNxt);
        }
        windowNote(a);
        boolean badAck = s.badChecksum == BadChecksum.ACK;
        if (s.ackOffset == 0 && !badAck) {
            a.add("the handshake is complete: the connection is ESTABLISHED on both sides");
        }
        send(TcpFlags.ACK, sndNxt, ackValue, ourWindowField(), null, 0, 0, ackOptions(), badAck, a);
        established = true;
        if (s.ackOffset != 0) {
            awaitAnswerToWrongAck(ackValue);
        } else if (badAck) {
            listener.note("our ACK carried a wrong checksum on purpose (--badsum ack): the server drops it unseen and stays in SYN-RECV;"
                    + " our next segment, which acknowledges its SYN too, will complete the handshake instead (or its SYN-ACK comes again)");
        }
    }

    private void awaitAnswerToWrongAck(long ackValue) throws LabException, ErrnoException {
        long deadline = deadline();
        for (int i = 0; i < MAX_SEGMENTS_PER_WAIT; i++) {
            Incoming in = await(deadline);
            if (in == null) {
                throw new TcpTimeoutException("the server's answer to our wrong ACK", "no answer to our wrong ACK (ack=" + ackValue
                        + ", should be " + rcvNxt + ") within " + millis(s.timeout) + ": the server stays silent in SYN-RECV");
            }
            List<String> n = new ArrayList<>();
            if (in.has(TcpFlags.RST)) {
                n.add("RST seq=" + in.seq + " = our wrong ack number: Linux (tcp_check_req) refuses an ACK that does not acknowledge its"
                        + " SYN-ACK, and answers with a reset whose seq is that ack (RFC 9293 §3.10.7.3); its half-open connection stays in"
                        + " SYN-RECV, waiting for a right ACK");
                report(in, n);
                throw new TcpResetException(false, "the server answered our wrong ACK (ack=" + ackValue + ", should be their seq " + irs
                        + " + 1 = " + rcvNxt + ") with RST seq=" + in.seq + ": the connection is not established");
            }
            if (in.has(TcpFlags.SYN | TcpFlags.ACK)) {
                n.add("their SYN-ACK again: our wrong ACK did not count, and the server still waits for a right one");
                report(in, n);
                continue;
            }
            n.add("not an answer to our wrong ACK: ignored");
            report(in, n);
        }
    }

    /**
     * Sends {@code data} in segments of at most their MSS within their window, then waits until all of it
     * is acknowledged, handling whatever the server sends meanwhile.
     */
    public void send(byte[] data) throws LabException, ErrnoException {
        requireEstablished();
        answerStart = received.size();
        int offset = 0;
        boolean first = true;
        long deadline = deadline();
        for (int i = 0; offset < data.length && i < MAX_SEGMENTS_PER_WAIT; i++) {
            long usable = theirWindowBytes() - distance(sndUna, sndNxt);
            if (usable <= 0) {
                Incoming in = await(deadline);
                if (in == null) {
                    throw new TcpTimeoutException("their window to open", "their window (" + theirWindowBytes() + " bytes) stayed full for "
                            + millis(s.timeout) + " with " + (data.length - offset) + " bytes still to send");
                }
                process(in);
                continue;
            }
            int capacity = segmentCapacity();
            int n = (int) Math.min(Math.min(data.length - offset, capacity), usable);
            boolean last = offset + n == data.length;
            List<String> notes = new ArrayList<>();
            notes.add("seq=" + sndNxt + " (rel " + rel(sndNxt, iss) + "): " + n + " bytes of data, numbered " + sndNxt + ".."
                    + add(sndNxt, n - 1) + ", so our next seq is " + add(sndNxt, n)
                    + (last ? "" : " (a segment holds at most " + capacity + " bytes: their MSS " + theirMss
                            + (capacity < theirMss ? " less " + (theirMss - capacity) + " bytes of options in every segment" : "")
                            + ", within their window)")
                    + wraps(sndNxt, add(sndNxt, n)));
            notes.add("ack=" + rcvNxt + " (rel " + rel(rcvNxt, irs) + "): we still expect their byte " + rcvNxt);
            windowNote(notes);
            boolean bad = first && s.badChecksum == BadChecksum.DATA;
            send(TcpFlags.ACK | (last ? TcpFlags.PSH : 0), sndNxt, rcvNxt, ourWindowField(), data, offset, n, ackOptions(), bad, notes);
            sndNxt = add(sndNxt, n);
            bytesSent += n;
            offset += n;
            first = false;
        }
        deadline = deadline();
        for (int i = 0; seqLt(sndUna, sndNxt) && i < MAX_SEGMENTS_PER_WAIT; i++) {
            Incoming in = await(deadline);
            if (in == null) {
                long unacked = distance(sndUna, sndNxt);
                throw new TcpTimeoutException("the ACK of our data", "no ACK for our " + unacked + " bytes (seq " + sndUna + ".."
                        + add(sndNxt, -1) + ") within " + millis(s.timeout) + (s.badChecksum == BadChecksum.DATA
                        ? ": our segment carried a wrong checksum on purpose (--badsum data), and Linux dropped it without a word"
                        : ""));
            }
            process(in);
        }
    }

    /**
     * Reads the server's answer: segments in order, each acknowledged, until its FIN, or until it has
     * been quiet for the quiet time after sending something. Throws TcpTimeoutException when nothing at
     * all came within the timeout.
     */
    public void awaitResponse() throws LabException, ErrnoException {
        requireEstablished();
        long deadline = deadline();
        // The answer may have begun while send() waited for the ACKs of our data (a quick server): it counts.
        int before = answerStart >= 0 ? Math.min(answerStart, received.size()) : received.size();
        answerStart = -1;
        long lastData = received.size() > before ? System.nanoTime() : 0;
        for (int i = 0; !theirFinReceived && i < MAX_SEGMENTS_PER_WAIT; i++) {
            boolean some = received.size() > before;
            long until = some ? Math.min(deadline, lastData + s.quiet.toNanos()) : deadline;
            Incoming in = await(until);
            if (in == null) {
                if (some) {
                    listener.note("the server has been quiet for " + millis(s.quiet) + " after " + (received.size() - before)
                            + " bytes: we take that as its whole answer");
                    return;
                }
                throw new TcpTimeoutException("the server's answer", "no data and no FIN from " + remoteText() + " within "
                        + millis(s.timeout) + (bytesSent > 0 ? " after our " + bytesSent + " bytes" : ""));
            }
            int size = received.size();
            process(in);
            if (received.size() > size) {
                lastData = System.nanoTime();
            }
        }
    }

    /**
     * Closes with FIN: ours, then waits until it is acknowledged and the server's FIN (if it had not come
     * yet) has arrived and been acknowledged. Four segments in all; whoever sent the first FIN ends in TIME_WAIT.
     */
    public void closeWithFin() throws LabException, ErrnoException {
        requireEstablished();
        weClosedFirst = !theirFinReceived;
        List<String> notes = new ArrayList<>();
        notes.add("FIN seq=" + sndNxt + " (rel " + rel(sndNxt, iss) + "): we close our side; a FIN counts as one byte, so the server will acknowledge "
                + add(sndNxt, 1));
        notes.add("ack=" + rcvNxt + " (rel " + rel(rcvNxt, irs) + ")" + (theirFinReceived ? ": their FIN is already acknowledged" : ""));
        notes.add(weClosedFirst ? "we close first: the server will answer with its ACK and, once its program closes too, its own FIN"
                : "the server closed first; this is the third segment of the four-way close");
        boolean bad = s.badChecksum == BadChecksum.FIN;
        ourFinSeq = sndNxt;
        send(TcpFlags.FIN | TcpFlags.ACK, sndNxt, rcvNxt, ourWindowField(), null, 0, 0, ackOptions(), bad, notes);
        ourFinSent = true;
        sndNxt = add(sndNxt, 1);
        long deadline = deadline();
        for (int i = 0; !(finAcked() && theirFinReceived) && i < MAX_SEGMENTS_PER_WAIT; i++) {
            Incoming in = await(deadline);
            if (in == null) {
                List<String> missing = new ArrayList<>();
                if (!finAcked()) {
                    missing.add("the ACK of our FIN (ack=" + sndNxt + ")");
                }
                if (!theirFinReceived) {
                    missing.add("the server's FIN");
                }
                throw new TcpTimeoutException(String.join(" and ", missing), "waited " + millis(s.timeout) + " for "
                        + String.join(" and ", missing) + " in vain" + (bad ? ": our FIN carried a wrong checksum on purpose (--badsum fin), and Linux dropped it"
                        : ""));
            }
            process(in);
        }
        listener.note(weClosedFirst
                ? "closed: we sent the first FIN, so TIME_WAIT is ours (a real stack would hold the 4-tuple for 2 MSL, 60 s on Linux; rawsock"
                        + " simply forgets it); the server went CLOSE_WAIT, LAST_ACK, then CLOSED"
                : "closed: the server sent the first FIN, so the server holds TIME_WAIT (60 s on Linux) and we are done");
    }

    /** Ends the connection with RST at our next sequence number (the only value Linux takes without a challenge ACK). */
    public void reset() throws ErrnoException {
        requireEstablished();
        List<String> notes = new ArrayList<>();
        notes.add("RST seq=" + sndNxt + " (rel " + rel(sndNxt, iss) + "): exactly our next sequence number, the only value Linux accepts"
                + " at once (others earn a challenge ACK, RFC 5961 §3.2)");
        notes.add("the server's socket goes straight to CLOSED: no FIN exchange, no TIME_WAIT; its next read() fails with ECONNRESET");
        send(TcpFlags.RST, sndNxt, 0, 0, null, 0, 0, List.of(), false, notes);
    }

    /**
     * Sends one segment exactly as given, for peers that misbehave on purpose (out of order, overlapping,
     * malformed options, a RST mid-stream): the session's own sequence state does not move.
     */
    public void sendSegment(int flags, long seq, long ack, int window, byte[] data, List<TcpOption> options, String why)
            throws ErrnoException {
        byte[] d = data == null ? new byte[0] : data;
        send(flags, seq & 0xFFFF_FFFFL, ack & 0xFFFF_FFFFL, window & 0xFFFF, d, 0, d.length, options, false, List.of(why));
    }

    /**
     * Sends {@code data} (2 bytes or more, at most two segments' worth) out of order: the second half first,
     * then the first half. The receiving kernel keeps the early bytes aside and answers with a duplicate ACK
     * for the gap; once the first half fills it, one cumulative ACK covers both (RFC 9293 §3.10.7.4: segments
     * beyond RCV.NXT are held, data is delivered to the user in sequence). Waits until all of it is acknowledged.
     */
    public void sendOutOfOrder(byte[] data) throws LabException, ErrnoException {
        requireEstablished();
        int capacity = segmentCapacity();
        if (data.length < 2 || data.length > 2 * capacity) {
            throw new IllegalArgumentException("out of order needs 2-" + 2 * capacity + " bytes of data (two segments) but got " + data.length);
        }
        answerStart = received.size();
        int firstLength = data.length / 2;
        int secondLength = data.length - firstLength;
        long firstSeq = sndNxt;
        long secondSeq = add(firstSeq, firstLength);
        long end = add(firstSeq, data.length);
        List<String> notes = new ArrayList<>();
        notes.add("seq=" + secondSeq + " (rel " + rel(secondSeq, iss) + "): the second part first: bytes " + secondSeq + ".." + add(end, -1)
                + "; bytes " + firstSeq + ".." + add(secondSeq, -1) + " have not been sent yet, so the receiver sees a gap");
        notes.add("ack=" + rcvNxt + " (rel " + rel(rcvNxt, irs) + "): we still expect their byte " + rcvNxt);
        windowNote(notes);
        send(TcpFlags.ACK | TcpFlags.PSH, secondSeq, rcvNxt, ourWindowField(), data, firstLength, secondLength, ackOptions(), false, notes);
        sndNxt = end;
        bytesSent += data.length;

        long deadline = deadline();
        boolean duplicateSeen = false;
        for (int i = 0; !duplicateSeen && i < MAX_SEGMENTS_PER_WAIT; i++) {
            Incoming in = await(deadline);
            if (in == null) {
                throw new TcpTimeoutException("a duplicate ACK", "no ACK for the early bytes " + secondSeq + ".." + add(end, -1) + " within "
                        + millis(s.timeout));
            }
            if (in.checksumOk && in.has(TcpFlags.ACK) && !in.has(TcpFlags.SYN) && !in.has(TcpFlags.RST) && in.payloadLength == 0
                    && in.ack == firstSeq) {
                duplicateSeen = true;
                List<String> n = new ArrayList<>();
                n.add("ack=" + in.ack + " (rel " + rel(in.ack, iss) + "): a duplicate ACK: the kernel still asks for byte " + firstSeq
                        + "; it holds bytes " + secondSeq + ".." + add(end, -1) + " aside until the gap is filled");
                for (TcpOption o : in.options) {
                    if (o instanceof TcpOption.Sack sack) {
                        for (TcpOption.SackBlock b : sack.blocks()) {
                            n.add("sack " + b.left() + "-" + b.right() + ": a selective ACK (RFC 2018) for the bytes it holds beyond the gap, "
                                    + b.left() + ".." + add(b.right(), -1));
                        }
                    }
                }
                theirWindow = scaling ? (long) in.window << theirShift : in.window;
                report(in, n);
            } else {
                process(in);
            }
        }

        notes = new ArrayList<>();
        notes.add("seq=" + firstSeq + " (rel " + rel(firstSeq, iss) + "): the first part, bytes " + firstSeq + ".." + add(secondSeq, -1)
                + ", sent last: it fills the gap");
        notes.add("ack=" + rcvNxt + " (rel " + rel(rcvNxt, irs) + "): we still expect their byte " + rcvNxt);
        send(TcpFlags.ACK, firstSeq, rcvNxt, ourWindowField(), data, 0, firstLength, ackOptions(), false, notes);
        deadline = deadline();
        for (int i = 0; seqLt(sndUna, sndNxt) && i < MAX_SEGMENTS_PER_WAIT; i++) {
            Incoming in = await(deadline);
            if (in == null) {
                throw new TcpTimeoutException("the ACK of our data", "no cumulative ACK for our " + distance(sndUna, sndNxt) + " bytes (seq "
                        + sndUna + ".." + add(sndNxt, -1) + ") within " + millis(s.timeout) + " after the gap was filled");
            }
            process(in);
        }
    }

    /** Our next sequence number (SND.NXT). */
    public long nextSequence() {
        return sndNxt;
    }

    /** The next sequence number we expect from the peer (RCV.NXT). */
    public long nextExpected() {
        return rcvNxt;
    }

    // ---- what happened ----

    /** The bytes the server sent, in order, as we acknowledged them. */
    public byte[] received() {
        return received.toByteArray();
    }

    /** Every segment sent and received so far. */
    public List<Segment> transcript() {
        return List.copyOf(transcript);
    }

    public long iss() {
        return iss;
    }

    public long irs() {
        return irs;
    }

    public boolean established() {
        return established;
    }

    public boolean weClosedFirst() {
        return weClosedFirst;
    }

    public Settings settings() {
        return s;
    }

    // ---- handling a segment after the handshake ----

    private void process(Incoming in) throws LabException, ErrnoException {
        List<String> n = new ArrayList<>();
        if (!in.checksumOk) {
            n.add("wrong TCP checksum: ignored, as a kernel would");
            report(in, n);
            return;
        }
        if (in.has(TcpFlags.RST)) {
            if (in.seq == rcvNxt) {
                n.add("RST seq=" + in.seq + " (rel " + rel(in.seq, irs) + "): the server reset the connection");
                report(in, n);
                throw new TcpResetException(false, "the server reset the connection (RST seq=" + in.seq + ")");
            }
            n.add("RST with seq=" + in.seq + ", not exactly the " + rcvNxt + " we expect: a kernel answers such a reset with a challenge ACK"
                    + " (RFC 5961 §3.2); rawsock ignores it");
            report(in, n);
            return;
        }
        if (in.has(TcpFlags.SYN)) {
            if (in.has(TcpFlags.ACK) && in.seq == irs) {
                n.add("their SYN-ACK again: our ACK did not count for them (lost, or wrong on purpose), so we acknowledge again");
                report(in, n);
                List<String> a = new ArrayList<>();
                a.add("ack=" + rcvNxt + " = their seq " + irs + " + 1 for SYN (again)");
                sendAck(a);
                return;
            }
            n.add("a SYN in the middle of a connection: ignored");
            report(in, n);
            return;
        }
        if (in.has(TcpFlags.ACK)) {
            explainAck(in, n);
        }
        if (timestampsAgreed && in.tsval >= 0 && !seqLt(rcvNxt, in.seq)) {
            tsRecent = in.tsval;
        }
        boolean fin = in.has(TcpFlags.FIN);
        if (in.payloadLength == 0 && !fin) {
            report(in, n);
            return;
        }
        if (in.seq == rcvNxt) {
            if (in.payloadLength > 0) {
                n.add("seq=" + in.seq + " (rel " + rel(in.seq, irs) + "): " + in.payloadLength + " bytes of data, numbered " + in.seq + ".."
                        + add(in.seq, in.payloadLength - 1) + ", in order" + wraps(in.seq, add(in.seq, in.payloadLength)));
                received.write(in.payload, 0, in.payloadLength);
            }
            long before = in.seq;
            rcvNxt = add(rcvNxt, in.payloadLength);
            if (fin) {
                rcvNxt = add(rcvNxt, 1);
                theirFinReceived = true;
                n.add("FIN: the server closed its side (it will send nothing more); a FIN counts as one byte");
            }
            report(in, n);
            List<String> a = new ArrayList<>();
            StringBuilder text = new StringBuilder("ack=").append(rcvNxt).append(" (rel ").append(rel(rcvNxt, irs)).append(") = their seq ")
                    .append(before);
            if (in.payloadLength > 0) {
                text.append(" + ").append(in.payloadLength).append(in.payloadLength == 1 ? " byte" : " bytes").append(" of data");
            }
            if (fin) {
                text.append(" + 1 for FIN");
            }
            text.append(wraps(before, rcvNxt));
            a.add(text.toString());
            if (fin && !ourFinSent) {
                a.add("the server closed first: when our FIN is acknowledged, the server will be the one in TIME_WAIT");
            }
            sendAck(a);
        } else if (seqLt(in.seq, rcvNxt)) {
            n.add("seq=" + in.seq + " is before the " + rcvNxt + " we expect: a retransmission of bytes we already have");
            report(in, n);
            List<String> a = new ArrayList<>();
            a.add("ack=" + rcvNxt + " again: everything before " + rcvNxt + " arrived");
            sendAck(a);
        } else {
            n.add("seq=" + in.seq + " but we expect " + rcvNxt + ": bytes " + rcvNxt + ".." + add(in.seq, -1)
                    + " are missing; rawsock keeps no out-of-order data");
            report(in, n);
            List<String> a = new ArrayList<>();
            a.add("ack=" + rcvNxt + ": a duplicate ACK, asking again for byte " + rcvNxt);
            sendAck(a);
        }
    }

    private void explainAck(Incoming in, List<String> n) {
        if (seqLt(sndUna, in.ack) && !seqLt(sndNxt, in.ack)) {
            long newly = distance(sndUna, in.ack);
            boolean finCovered = ourFinSent && in.ack == add(ourFinSeq, 1);
            long data = newly - (finCovered ? 1 : 0);
            StringBuilder text = new StringBuilder("ack=").append(in.ack).append(" (rel ").append(rel(in.ack, iss)).append(") = our seq ")
                    .append(sndUna);
            if (data > 0) {
                text.append(" + ").append(data).append(data == 1 ? " byte" : " bytes").append(" of data");
            }
            if (finCovered) {
                text.append(" + 1 for FIN");
            }
            text.append(wraps(sndUna, in.ack));
            text.append(finCovered ? ": our FIN arrived" : ": all of it arrived");
            n.add(text.toString());
            sndUna = in.ack;
        } else if (seqLt(sndNxt, in.ack)) {
            n.add("ack=" + in.ack + " acknowledges bytes we never sent (our next is " + sndNxt + ")");
        }
        long before = theirWindow;
        theirWindow = scaling ? (long) in.window << theirShift : in.window;
        if (theirWindow != before || !windowExplainedTheirs) {
            n.add("win=" + in.window + (scaling ? " << " + theirShift + " = " + theirWindow + " bytes" : " bytes") + ": their receive window");
            windowExplainedTheirs = true;
        }
    }

    private boolean windowExplainedTheirs;

    private void sendAck(List<String> notes) throws ErrnoException {
        windowNote(notes);
        send(TcpFlags.ACK, sndNxt, rcvNxt, ourWindowField(), null, 0, 0, ackOptions(), false, notes);
    }

    private boolean finAcked() {
        return ourFinSent && !seqLt(sndUna, add(ourFinSeq, 1));
    }

    private void requireEstablished() {
        if (!established) {
            throw new IllegalStateException("not connected: call connect() first");
        }
    }

    // ---- options and windows ----

    private List<TcpOption> synOptions(List<String> notes) {
        List<TcpOption> o = new ArrayList<>();
        if (s.mss >= 0) {
            o.add(new TcpOption.Mss(s.mss));
            notes.add("mss " + s.mss + ": send us segments of at most " + s.mss + " data bytes");
        }
        // The order Linux uses: MSS, then SACK-permitted and timestamps together, then NOP and window scale.
        if (s.sack && s.timestamps) {
            o.add(new TcpOption.SackPermitted());
            o.add(new TcpOption.Timestamps(tsval(), 0));
        } else if (s.timestamps) {
            o.add(new TcpOption.Nop());
            o.add(new TcpOption.Nop());
            o.add(new TcpOption.Timestamps(tsval(), 0));
        } else if (s.sack) {
            o.add(new TcpOption.Nop());
            o.add(new TcpOption.Nop());
            o.add(new TcpOption.SackPermitted());
        }
        if (s.sack) {
            notes.add("sackOK: we could take selective acknowledgments (RFC 2018)");
        }
        if (s.timestamps) {
            notes.add("ts " + tsval() + " 0: our clock (TSval, milliseconds); the server will echo it (RFC 7323)");
        }
        if (s.windowScale >= 0) {
            o.add(new TcpOption.Nop());
            o.add(new TcpOption.WindowScale(s.windowScale));
            notes.add("wscale " + s.windowScale + ": after the handshake our window field counts units of 2^" + s.windowScale + " = "
                    + (1L << s.windowScale) + " bytes (only if they offer scaling too)");
        }
        if (!s.extraSynOptions.isEmpty()) {
            o.addAll(s.extraSynOptions);
            notes.add(s.extraSynOptionsWhy);
        }
        return o;
    }

    private void agreeOptions(Incoming in, List<String> n) {
        for (TcpOption o : in.options) {
            if (o instanceof TcpOption.Mss m) {
                theirMss = Math.max(1, m.mss());
                n.add("mss " + m.mss() + ": we may send them segments of up to " + m.mss() + " data bytes");
            } else if (o instanceof TcpOption.WindowScale w) {
                theirShift = Math.min(w.shift(), 14);
            } else if (o instanceof TcpOption.SackPermitted) {
                sackAgreed = s.sack;
            } else if (o instanceof TcpOption.Timestamps t) {
                if (s.timestamps) {
                    timestampsAgreed = true;
                    tsRecent = t.tsval();
                    n.add("ts " + t.tsval() + " " + t.tsecr() + ": their clock, and TSecr " + t.tsecr() + " echoes our TSval");
                }
            }
        }
        if (theirShift >= 0 && s.windowScale >= 0) {
            scaling = true;
            n.add("wscale " + theirShift + ": both sides offered scaling, so from now on their window field counts units of 2^" + theirShift
                    + " bytes, and ours units of 2^" + s.windowScale);
        } else if (s.windowScale >= 0) {
            n.add("no wscale from them: no scaling either way (RFC 7323 §2.2)");
        }
        if (sackAgreed) {
            n.add("sackOK: selective acknowledgments are agreed");
        }
    }

    private List<TcpOption> ackOptions() {
        if (!timestampsAgreed) {
            return List.of();
        }
        return List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Timestamps(tsval(), tsRecent));
    }

    /**
     * The data one segment may carry: their MSS (at most what a 1500-byte Ethernet MTU leaves after 40 bytes
     * of IPv4 and TCP headers), less the options every segment carries (12 bytes once timestamps are agreed),
     * as Linux's tcp_current_mss does.
     */
    private int segmentCapacity() {
        int optionBytes = 0;
        for (TcpOption o : ackOptions()) {
            optionBytes += o.length();
        }
        return Math.max(1, Math.min(theirMss, LINK_MTU - IP_HEADER - TcpView.MIN_HEADER_BYTES) - ((optionBytes + 3) & ~3));
    }

    private int ourWindowField() {
        long field = scaling ? (long) s.windowBytes >> s.windowScale : s.windowBytes;
        return (int) Math.min(field, 0xFFFF);
    }

    private void windowNote(List<String> notes) {
        if (windowExplained) {
            return;
        }
        windowExplained = true;
        int field = ourWindowField();
        notes.add(scaling
                ? "win=" + field + ": our window " + field + " << " + s.windowScale + " = " + ((long) field << s.windowScale)
                        + " bytes (we read everything at once, so it stays there)"
                : "win=" + field + ": our window in bytes (we read everything at once, so it stays there)");
    }

    private long theirWindowBytes() {
        return theirWindow;
    }

    private long tsval() {
        long elapsedMillis = start == 0 ? 0 : (System.nanoTime() - start) / 1_000_000L;
        return (s.timestampOffset + elapsedMillis) & 0xFFFF_FFFFL;
    }

    // ---- frames ----

    private void send(int flags, long seq, long ack, int window, byte[] data, int offset, int length, List<TcpOption> options,
                      boolean badChecksum, List<String> notes) throws ErrnoException {
        ByteBuffer b = link.sendBuffer();
        int optionBytes = 0;
        for (TcpOption o : options) {
            optionBytes += o.length();
        }
        int padded = (optionBytes + 3) & ~3;
        if (padded > MAX_OPTION_BYTES) { // the data offset is 4 bits of 32-bit words: 60-byte header at most
            throw new IllegalArgumentException("the TCP options take " + optionBytes + " bytes, but at most "
                    + MAX_OPTION_BYTES + " fit in a TCP header (RFC 9293 §3.1)");
        }
        int tcpHeader = TcpView.MIN_HEADER_BYTES + padded;
        int tcpLength = tcpHeader + length;
        int total = IP_HEADER + tcpLength;

        eth.wrap(b, 0).destination(s.remoteMac).source(s.localMac).etherType(EtherTypes.IPV4);
        ip.wrap(b, ETH).version(4).ihl(5).dscp(0).ecn(0).totalLength(total).identification(ipId).fragmentOffset(0)
                .flags(false, true, false).ttl(64).protocol(TCP).checksum(0)
                .source(s.localAddress).destination(s.remoteAddress);
        ipId = (ipId + 1) & 0xFFFF;
        ip.checksum(ip.computeChecksum(IP_HEADER));

        int at = ETH + IP_HEADER;
        tcp.wrap(b, at).sourcePort(s.localPort).destinationPort(s.remotePort).sequenceNumber(seq).acknowledgmentNumber(ack)
                .dataOffset(tcpHeader / 4).reserved(0).flags(flags).window(window).checksum(0).urgentPointer(0);
        int o = at + TcpView.MIN_HEADER_BYTES;
        for (TcpOption option : options) {
            o += option.encodeTo(b, o);
        }
        while (o < at + tcpHeader) {
            b.put(o++, (byte) TcpOptions.EOL);
        }
        for (int i = 0; i < length; i++) {
            b.put(o + i, data[offset + i]);
        }
        long pseudo = Checksums.pseudoHeaderIpv4(s.localAddress, s.remoteAddress, TCP, tcpLength);
        int right = tcp.computeChecksum(pseudo, tcpLength);
        if (badChecksum) {
            int wrong = (right + 0x1111) & 0xFFFF;
            tcp.checksum(wrong);
            notes = new ArrayList<>(notes);
            notes.add(String.format(Locale.ROOT, "checksum 0x%04x is wrong on purpose (--badsum; the right one is 0x%04x)", wrong, right));
        } else {
            tcp.checksum(right);
        }
        int frameLength = ETH + total;
        link.send(frameLength);
        byte[] frame = new byte[frameLength];
        b.get(0, frame);
        Segment segment = new Segment(Direction.SENT, elapsed(), flags, seq, ack, window, length, frame, notes);
        transcript.add(segment);
        listener.segment(segment);
    }

    /** A TCP segment of this connection, read from a frame. */
    private static final class Incoming {
        int flags;
        long seq;
        long ack;
        int window;
        int payloadLength;
        byte[] payload;
        byte[] frame;
        boolean checksumOk;
        long tsval = -1;
        List<TcpOption> options = List.of();

        boolean has(int mask) {
            return (flags & mask) == mask;
        }
    }

    /** The next segment of this connection, or null at the deadline; other frames are passed over. */
    private Incoming await(long deadlineNanos) throws ErrnoException {
        for (int i = 0; i < MAX_SEGMENTS_PER_WAIT; i++) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            int n = link.receive(Math.max(1, left / 1_000_000L));
            if (n < 0) {
                return null;
            }
            Incoming in = parse(link.receiveBuffer(), n);
            if (in != null) {
                return in;
            }
        }
        return null;
    }

    private Incoming parse(ByteBuffer b, int n) {
        if (n < ETH + IP_HEADER + TcpView.MIN_HEADER_BYTES || eth.wrap(b, 0).etherType() != EtherTypes.IPV4) {
            return null;
        }
        ip.wrap(b, ETH);
        int ihl = ip.headerLengthBytes();
        int total = ip.totalLength();
        if (ip.version() != 4 || ip.protocol() != TCP || ip.source() != s.remoteAddress
                || ip.destination() != s.localAddress || ihl < IP_HEADER || total < ihl + TcpView.MIN_HEADER_BYTES || ETH + total > n) {
            return null;
        }
        int at = ETH + ihl;
        tcp.wrap(b, at);
        if (tcp.sourcePort() != s.remotePort || tcp.destinationPort() != s.localPort) {
            return null;
        }
        int tcpLength = total - ihl;
        int header = tcp.headerLengthBytes();
        if (header < TcpView.MIN_HEADER_BYTES || header > tcpLength) {
            return null;
        }
        Incoming in = new Incoming();
        in.flags = tcp.flags();
        in.seq = tcp.sequenceNumber();
        in.ack = tcp.acknowledgmentNumber();
        in.window = tcp.window();
        in.payloadLength = tcpLength - header;
        in.payload = new byte[in.payloadLength];
        b.get(at + header, in.payload);
        in.frame = new byte[ETH + total];
        b.get(0, in.frame);
        long pseudo = Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), TCP, tcpLength);
        // A checksum the sending kernel left to the device (offload) is not wrong, only unfinished.
        in.checksumOk = link.checksumNotReady() || tcp.checksumValid(pseudo, tcpLength);
        TcpOptions.Parsed parsed = TcpOptions.parse(b, at + TcpView.MIN_HEADER_BYTES, header - TcpView.MIN_HEADER_BYTES);
        in.options = parsed.options();
        for (TcpOption o : in.options) {
            if (o instanceof TcpOption.Timestamps t) {
                in.tsval = t.tsval();
            }
        }
        return in;
    }

    private void report(Incoming in, List<String> notes) {
        Segment segment = new Segment(Direction.RECEIVED, elapsed(), in.flags, in.seq, in.ack, in.window, in.payloadLength, in.frame, notes);
        transcript.add(segment);
        listener.segment(segment);
    }

    // ---- arithmetic modulo 2^32 ----

    static long add(long seq, long n) {
        return (seq + n) & 0xFFFF_FFFFL;
    }

    /** How far {@code to} is ahead of {@code from}, modulo 2^32. */
    static long distance(long from, long to) {
        return (to - from) & 0xFFFF_FFFFL;
    }

    /** a before b in sequence space (RFC 9293 §3.4: comparisons are modulo 2^32). */
    static boolean seqLt(long a, long b) {
        return (int) (a - b) < 0;
    }

    /** A remark when the step from {@code from} to {@code to} passed 2^32 - 1 and started again at 0. */
    private static String wraps(long from, long to) {
        return to < from ? " (modulo 2^32: sequence numbers wrap from 4294967295 to 0)" : "";
    }

    private static long rel(long seq, long initial) {
        return distance(initial, seq);
    }

    private long elapsed() {
        return System.nanoTime() - start;
    }

    private long deadline() {
        return System.nanoTime() + s.timeout.toNanos();
    }

    private String remoteText() {
        return Ipv4Address.text(s.remoteAddress) + ":" + s.remotePort;
    }

    private static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
