package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * What {@link PacketDecoder} found in one frame: which layers, where each starts and how long it is,
 * the checksum verdicts, whether the capture was cut short, and the first malformation. It holds
 * offsets into the caller's buffer, not copies: one instance is reused for every packet, so decoding
 * allocates nothing. Read the fields with the views ({@link Ipv4View}, {@link TcpView}, ...) at
 * {@link #offset(Layer)}; the printers do.
 *
 * <p>Offsets are absolute positions in {@link #buffer()}; {@link #errorOffset()} counts from the start
 * of the frame.
 */
public final class DecodedPacket {
    static final int MAX_LAYERS = 8;

    ByteBuffer buffer;
    int frameOffset;
    int capturedLength;
    int originalLength;
    long frameNumber;

    final Layer[] layers = new Layer[MAX_LAYERS];
    final int[] offsets = new int[MAX_LAYERS];
    final int[] lengths = new int[MAX_LAYERS];
    int layerCount;

    /** The end of the IP packet (by its length field, capped at the captured data); Ethernet padding lies after it. */
    int ipEnd;
    /** The upper-layer protocol number carried by IPv4/IPv6 (after IPv6 extension headers), or -1. */
    int ipProtocol;
    /** A fragment after the first: its data is not a transport header. */
    boolean laterFragment;
    /** The first fragment of several: the transport header is there, but its checksum cannot be judged. */
    boolean firstFragment;

    Verdict ipv4Checksum;
    Verdict transportChecksum;

    boolean truncated;
    boolean checksumOffloaded;
    Layer errorLayer;
    int errorOffset;
    String errorMessage;

    private DecodedPacket inner;
    boolean hasInner;

    void reset(ByteBuffer b, int offset, int captured, int original) {
        buffer = b;
        frameOffset = offset;
        capturedLength = captured;
        originalLength = original;
        layerCount = 0;
        ipEnd = offset + captured;
        ipProtocol = -1;
        laterFragment = false;
        firstFragment = false;
        ipv4Checksum = Verdict.UNKNOWN;
        transportChecksum = Verdict.UNKNOWN;
        truncated = captured < original;
        checksumOffloaded = false;
        errorLayer = null;
        errorOffset = -1;
        errorMessage = null;
        hasInner = false;
    }

    void add(Layer layer, int offset, int length) {
        if (layerCount < MAX_LAYERS) {
            layers[layerCount] = layer;
            offsets[layerCount] = offset;
            lengths[layerCount] = length;
            layerCount++;
        }
    }

    /** Records the first malformation only; later ones are consequences or noise. */
    void malformed(Layer layer, int absoluteOffset, String message) {
        if (errorMessage == null) {
            errorLayer = layer;
            errorOffset = absoluteOffset - frameOffset;
            errorMessage = message;
        }
    }

    DecodedPacket inner() {
        if (inner == null) {
            inner = new DecodedPacket();
        }
        return inner;
    }

    // ---- reading ----

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Where the frame starts in {@link #buffer()}. */
    public int frameOffset() {
        return frameOffset;
    }

    public int capturedLength() {
        return capturedLength;
    }

    public int originalLength() {
        return originalLength;
    }

    /** 1-based frame number, as set by the caller ({@link #frameNumber(long)}). */
    public long frameNumber() {
        return frameNumber;
    }

    public void frameNumber(long number) {
        frameNumber = number;
    }

    public int layerCount() {
        return layerCount;
    }

    public Layer layer(int index) {
        return layers[index];
    }

    /** Absolute offset of the i-th layer. */
    public int layerOffset(int index) {
        return offsets[index];
    }

    /** Bytes of the i-th layer present in the buffer (its header, or the payload's bytes). */
    public int layerLength(int index) {
        return lengths[index];
    }

    public boolean has(Layer layer) {
        return indexOf(layer) >= 0;
    }

    /** Absolute offset of the layer, or -1 when absent. */
    public int offset(Layer layer) {
        int i = indexOf(layer);
        return i < 0 ? -1 : offsets[i];
    }

    /** Bytes of the layer present, or 0 when absent. */
    public int length(Layer layer) {
        int i = indexOf(layer);
        return i < 0 ? 0 : lengths[i];
    }

    private int indexOf(Layer layer) {
        for (int i = 0; i < layerCount; i++) {
            if (layers[i] == layer) {
                return i;
            }
        }
        return -1;
    }

    /** Where the IP packet ends in the buffer; bytes from here to the end of the capture are link padding. */
    public int ipEnd() {
        return ipEnd;
    }

    /** The protocol number IPv4/IPv6 carries (after extension headers), or -1 without an IP layer. */
    public int ipProtocol() {
        return ipProtocol;
    }

    /** A fragment with a non-zero offset: its data is not decoded as a transport header. */
    public boolean laterFragment() {
        return laterFragment;
    }

    /** The first of several fragments. */
    public boolean firstFragment() {
        return firstFragment;
    }

    public Verdict ipv4Checksum() {
        return ipv4Checksum;
    }

    /** The verdict on the TCP, UDP, ICMP or ICMPv6 checksum, whichever the packet has. */
    public Verdict transportChecksum() {
        return transportChecksum;
    }

    /**
     * Tells the decoded packet that its capture reported the transport checksum as not filled in yet (a
     * host's own segment, checksum offloaded: packet(7)'s TP_STATUS_CSUMNOTREADY): the field holds a
     * partial sum, so the verdict becomes "not judged" rather than "wrong".
     */
    public void checksumOffloaded() {
        checksumOffloaded = true;
        transportChecksum = Verdict.UNKNOWN;
    }

    /** True when {@link #checksumOffloaded()} was called for this packet. */
    public boolean isChecksumOffloaded() {
        return checksumOffloaded;
    }

    /** The capture stops before the packet does (captured length below the original, or short data). */
    public boolean truncated() {
        return truncated;
    }

    /** True when the packet contradicts itself somewhere; see {@link #errorMessage()}. */
    public boolean malformed() {
        return errorMessage != null;
    }

    public Layer errorLayer() {
        return errorLayer;
    }

    /** Offset of the first malformation from the start of the frame, or -1. */
    public int errorOffset() {
        return errorOffset;
    }

    public String errorMessage() {
        return errorMessage;
    }

    /** The packet quoted inside an ICMP/ICMPv6 error (IP header + at least 8 bytes), or null. */
    public DecodedPacket quoted() {
        return hasInner ? inner : null;
    }
}
