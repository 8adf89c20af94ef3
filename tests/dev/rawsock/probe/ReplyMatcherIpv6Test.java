package dev.rawsock.probe;

import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.Ipv6Assembler;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reply matching for IPv6 probes, on replies built by hand (the kernel tests are in
 * {@link SendIpv6AgainstKernelTest}): which probe a reply answers, what does not count, and no allocation.
 */
class ReplyMatcherIpv6Test {
    private static final Bytes HOST = Ipv6Address.parse("2001:db8::1");
    private static final Bytes TARGET = Ipv6Address.parse("2001:db8::2");
    private static final Bytes OTHER = Ipv6Address.parse("2001:db8::3");

    private final PacketDecoder decoder = new PacketDecoder();

    private static ProbeSeries series(PacketSpec spec, IntRange ports, IntRange hops, boolean sportIncrement, boolean seqIncrement) {
        return new ProbeSeries(spec, Randomness.seeded(5), EmitOptions.DEFAULT, ports, hops, sportIncrement, seqIncrement,
                false, false, false);
    }

    private static byte[] probe(ProbeSeries s, long i) {
        ByteBuffer b = ByteBuffer.allocate(s.length());
        s.write(i, b, 0);
        return b.array();
    }

    /** An IPv6 packet from {@code from} to the host, built by rawsock's own assembler. */
    private DecodedPacket reply(PacketSpec spec, Bytes from) {
        spec.ipv6Source(from).ipv6Destination(HOST);
        ByteBuffer b = ByteBuffer.allocate(Ipv6Assembler.lengthOf(spec));
        int n = new Ipv6Assembler().assemble(spec, Randomness.seeded(1), EmitOptions.DEFAULT, b, 0);
        return decoder.decode(b, 0, n, n, FirstLayer.IP, new DecodedPacket());
    }

    /** An ICMPv6 error of {@code type}/{@code code} quoting {@code quoted}. */
    private DecodedPacket error(int type, int code, byte[] quoted, Bytes from) {
        return reply(PacketSpec.icmp().icmpType(type).icmpCode(code).icmpRestOfHeader(0L).payload(Bytes.of(quoted)), from);
    }

    private static ReplyMatcher sentAll(ProbeSeries s, int n) {
        ReplyMatcher m = new ReplyMatcher(s);
        for (int i = 0; i < n; i++) {
            m.sent(i, 1000L * i);
        }
        return m;
    }

    @Test
    void anIcmpv6ErrorIsMatchedByTheQuotedSourcePortAndChecked() {
        ProbeSeries s = series(PacketSpec.udp().ipv6Source(HOST).ipv6Destination(TARGET).sourcePort(40000).destinationPort(9),
                null, null, true, false);
        assertTrue(s.isIpv6());
        ReplyMatcher m = sentAll(s, 5);
        assertEquals(1_000_000 - 3000, m.match(error(1, 4, probe(s, 3), TARGET), 1_000_000));
        assertEquals(3, m.matchedProbe(), "the quoted source port is base + 3");
        assertEquals(-1, m.match(error(1, 4, probe(s, 3), TARGET), 2_000_000), "a second reply to probe 3 is a duplicate");
        assertEquals(1, m.duplicates());

        byte[] elsewhere = probe(s, 1);
        OTHER.writeTo(ByteBuffer.wrap(elsewhere), 24);
        assertEquals(-1, m.match(error(1, 4, elsewhere, TARGET), 3_000_000), "a quote of a packet to another destination");
        byte[] otherProtocol = probe(s, 1);
        otherProtocol[6] = 6;
        assertEquals(-1, m.match(error(1, 4, otherProtocol, TARGET), 3_000_000), "a quote with another next header");
        byte[] otherPort = probe(s, 1);
        otherPort[43]++;
        assertEquals(-1, m.match(error(1, 4, otherPort, TARGET), 3_000_000), "a quote with another destination port");
        assertEquals(-1, m.match(error(1, 4, probe(s, 1), OTHER), 3_000_000), "an error from a host we did not probe");
        assertEquals(1000, m.match(error(1, 4, probe(s, 1), TARGET), 2000));
        assertEquals(1, m.matchedProbe());
    }

    @Test
    void identicalProbesAreAnsweredOldestFirstAndEchoRepliesByTheirSequence() {
        // A hop-limit sweep changes nothing the quote carries reliably: the oldest unanswered probe it fits.
        ProbeSeries s = series(PacketSpec.udp().ipv6Source(HOST).ipv6Destination(TARGET).sourcePort(40000).destinationPort(9),
                null, new IntRange(1, 3), false, false);
        ReplyMatcher m = sentAll(s, 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(m.match(error(3, 0, probe(s, 2 - i), TARGET), 10_000) >= 0);
            assertEquals(i, m.matchedProbe());
        }

        ProbeSeries echo = series(PacketSpec.icmp().ipv6Source(HOST).ipv6Destination(TARGET).icmpIdentifier(77).icmpSequence(10),
                null, null, false, false);
        assertTrue(echo.isEcho());
        ReplyMatcher e = sentAll(echo, 4);
        assertEquals(10_000 - 2000, e.match(reply(PacketSpec.icmp().icmpType(129).icmpIdentifier(77).icmpSequence(12), TARGET), 10_000));
        assertEquals(2, e.matchedProbe());
        assertEquals(-1, e.match(reply(PacketSpec.icmp().icmpType(129).icmpIdentifier(78).icmpSequence(13), TARGET), 10_000),
                "another program's echo reply (another id)");
        assertEquals(-1, e.match(reply(PacketSpec.icmp().icmpType(128).icmpIdentifier(77).icmpSequence(13), TARGET), 10_000),
                "an echo request is no reply");
        assertTrue(e.match(error(1, 0, probe(echo, 3), TARGET), 10_000) >= 0, "an error quoting the echo request, by its sequence");
        assertEquals(3, e.matchedProbe());
    }

    @Test
    void tcpRepliesMirrorThePortsAndAcknowledgeTheSequence() {
        ProbeSeries s = series(PacketSpec.tcp().ipv6Source(HOST).ipv6Destination(TARGET).sourcePort(40000).destinationPort(80)
                .sequence(1000L), null, null, false, true);
        ReplyMatcher m = sentAll(s, 3);
        assertTrue(m.match(reply(PacketSpec.tcp().sourcePort(80).destinationPort(40000).flags(TcpFlags.SYN | TcpFlags.ACK)
                .sequence(5L).acknowledgment(1002), TARGET), 10_000) >= 0);
        assertEquals(1, m.matchedProbe(), "ack 1002 = seq 1001 + 1 for the SYN: probe 1");
        assertEquals(-1, m.match(reply(PacketSpec.tcp().sourcePort(81).destinationPort(40000).flags(TcpFlags.SYN | TcpFlags.ACK)
                .sequence(5L).acknowledgment(1001), TARGET), 10_000), "ports not mirrored");
        assertTrue(m.match(error(1, 4, probe(s, 2), TARGET), 10_000) >= 0, "an error, by the quoted sequence number");
        assertEquals(2, m.matchedProbe());
    }

    @Test
    void matchingAllocatesNothing() {
        ProbeSeries s = series(PacketSpec.udp().ipv6Source(HOST).ipv6Destination(TARGET).sourcePort(40000).destinationPort(9),
                null, null, true, false);
        ReplyMatcher m = sentAll(s, 5);
        DecodedPacket error = error(1, 4, probe(s, 3), TARGET);
        DecodedPacket stranger = error(1, 4, probe(s, 3), OTHER);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) { // warm up: compiled code allocates no more than the interpreter
            m.match(error, i);
            m.match(stranger, i);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            m.match(error, i);
            m.match(stranger, i);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, allocated + " bytes allocated for 200,000 matches");
    }
}
