package dev.rawsock.wire;

import dev.rawsock.print.DetailPrinter;
import dev.rawsock.print.HexDump;
import dev.rawsock.print.JsonPrinter;
import dev.rawsock.print.LinePrinter;
import org.junit.jupiter.api.Test;

import java.io.Writer;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated bytes (seeded, so a failure reproduces) through the decoder and every printer:
 * no exception, no endless loop, offsets always inside the frame. One million inputs by default;
 * -Drawsock.fuzz.inputs=N for a longer run.
 */
class DecoderRobustnessTest {
    private static final long SEED = 0x5EED_CAFEL;
    private static final int INPUTS = Integer.getInteger("rawsock.fuzz.inputs", 1_000_000);

    /** Well-formed starting points that mutations bend out of shape. */
    static byte[][] seeds() {
        byte[] syn = PacketDecoderTest.syn();
        byte[] withOptions = new byte[60];
        ByteBuffer b = ByteBuffer.wrap(withOptions);
        new Ipv4View().wrap(b, 0).version(4).ihl(6).totalLength(60).ttl(64).protocol(6).source(0x7F000001).destination(0x7F000001);
        b.put(20, (byte) 0x94).put(21, (byte) 4);
        new TcpView().wrap(b, 24).sourcePort(1).destinationPort(2).dataOffset(9).flags(TcpFlags.SYN);
        byte[] tcpOptions = Bytes.fromHex("020405b4 0402 080a0000000100000000 01 030307 0000").toArray();
        b.put(44, tcpOptions, 0, Math.min(tcpOptions.length, 16));
        byte[] icmpError = new byte[56];
        ByteBuffer e = ByteBuffer.wrap(icmpError);
        new Ipv4View().wrap(e, 0).version(4).ihl(5).totalLength(56).ttl(64).protocol(1);
        new IcmpView().wrap(e, 20).type(3).code(3);
        e.put(28, syn, 0, 28);
        byte[] frame = new byte[14 + 40 + 6];
        frame[12] = 0x08;
        System.arraycopy(syn, 0, frame, 14, 40);
        byte[] ipv6 = new byte[48];
        ByteBuffer v6 = ByteBuffer.wrap(ipv6);
        v6.put(0, (byte) 0x60).put(5, (byte) 8).put(6, (byte) 58).put(7, (byte) 64);
        v6.put(40, (byte) 128);
        byte[] arp = Bytes.fromHex("ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 7f000001 000000000000 7f000002").toArray();
        return new byte[][] {syn, withOptions, icmpError, frame, ipv6, arp};
    }

    @Test
    void anyBytesDecodeAndPrintWithoutException() {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[][] seeds = seeds();
        FirstLayer[] firsts = FirstLayer.values();
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        LinePrinter line = new LinePrinter();
        DetailPrinter detail = new DetailPrinter();
        JsonPrinter json = new JsonPrinter(Writer.nullWriter());
        StringBuilder text = new StringBuilder(4096);
        ByteBuffer buffer = ByteBuffer.allocate(256);
        int malformed = 0;
        int truncated = 0;
        for (int i = 0; i < INPUTS; i++) {
            int length;
            FirstLayer first;
            if (random.nextInt(4) == 0) { // pure noise
                length = random.nextInt(129);
                for (int k = 0; k < length; k++) {
                    buffer.put(k, (byte) random.nextInt(256));
                }
                first = firsts[random.nextInt(firsts.length)];
            } else { // a seed, bent: flipped bytes, then cut or extended
                int which = random.nextInt(seeds.length);
                byte[] seed = seeds[which];
                buffer.put(0, seed);
                length = seed.length;
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    buffer.put(random.nextInt(length), (byte) random.nextInt(256));
                }
                if (random.nextBoolean()) {
                    length = random.nextInt(length + 1);
                }
                first = which == 3 || which == 5 ? FirstLayer.ETHERNET : FirstLayer.IP;
            }
            int original = random.nextInt(3) == 0 ? length + random.nextInt(100) : length;
            try {
                decoder.decode(buffer, 0, length, original, first, p);
                p.frameNumber(i + 1);
                checkOffsets(p, length);
                if (p.quoted() != null) {
                    checkOffsets(p.quoted(), length);
                }
                text.setLength(0);
                line.append(text, p);
                {
                    detail.append(text, p);
                    HexDump.appendLabelled(text, p);
                    json.print(p);
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("input " + i + " (seed " + SEED + ", first layer " + first + ", "
                        + length + " of " + original + " bytes): " + Bytes.copyOf(buffer, 0, length).hex(), e);
            }
            malformed += p.malformed() ? 1 : 0;
            truncated += p.truncated() ? 1 : 0;
        }
        // The inputs really were bent: a good share is malformed or truncated, and many are not.
        assertTrue(malformed > INPUTS / 20 && malformed < INPUTS, "malformed " + malformed + " of " + INPUTS);
        assertTrue(truncated > INPUTS / 20, "truncated " + truncated + " of " + INPUTS);
    }

    private static void checkOffsets(DecodedPacket p, int length) {
        int start = p.frameOffset();
        int end = start + p.capturedLength();
        for (int k = 0; k < p.layerCount(); k++) {
            int at = p.layerOffset(k);
            if (at < 0 || p.layerLength(k) < 0 || at + p.layerLength(k) > end) {
                throw new AssertionError("layer " + p.layer(k) + " at " + at + "+" + p.layerLength(k) + " outside the frame " + start + "-" + end);
            }
        }
        if (p.malformed() && (p.errorOffset() < 0 || p.errorOffset() > p.capturedLength())) {
            throw new AssertionError("error offset " + p.errorOffset() + " outside " + p.capturedLength() + " bytes");
        }
        assertEquals(true, p.capturedLength() <= length + 0);
    }
}
