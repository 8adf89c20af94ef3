package dev.rawsock.helper;

import dev.rawsock.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy's pieces without a helper running (no privileges needed): prefixes, packet checks, the token buckets, the body reader. */
class PolicyTest {
    private static ByteBuffer header(int protocol, String source, String destination, int lengthBytes) {
        ByteBuffer b = ByteBuffer.allocate(lengthBytes);
        b.put(0, (byte) 0x45).put(9, (byte) protocol).putInt(12, Ipv4Address.parse(source)).putInt(16, Ipv4Address.parse(destination));
        return b;
    }

    @Test
    void prefixesParseContainAndRefuseHostBits() {
        Prefix p = Prefix.parse("10.1.0.0/16");
        assertTrue(p.contains(Ipv4Address.parse("10.1.255.7")));
        assertTrue(!p.contains(Ipv4Address.parse("10.2.0.1")));
        assertEquals("0.0.0.0/0", Prefix.parse("0.0.0.0/0").toString());
        assertTrue(Prefix.parse("0.0.0.0/0").contains(Ipv4Address.parse("203.0.113.9")));
        assertEquals("192.0.2.1/32", Prefix.parse("192.0.2.1").toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Prefix.parse("10.1.0.1/16")).getMessage().contains("did you mean 10.1.0.0/16?"));
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("10.0.0.0/x"));
    }

    @Test
    void packetsAreJudgedByTheirOwnHeader() {
        Policy policy = new Policy.Builder().build();
        assertNull(policy.check(header(6, "127.0.0.1", "127.0.0.2", 40), List.of()));
        assertNull(policy.check(header(17, "0.0.0.0", "127.0.0.1", 28), List.of()), "0.0.0.0: the kernel chooses the source");
        assertEquals("allow-prefix=127.0.0.0/8", policy.check(header(6, "127.0.0.1", "198.18.0.2", 40), List.of()).rule());
        assertNull(policy.check(header(6, "198.18.0.1", "198.18.0.2", 40), List.of(Prefix.LABS)), "a client's lab");
        assertEquals("allow-proto=icmp,tcp,udp", policy.check(header(47, "127.0.0.1", "127.0.0.1", 40), List.of()).rule());
        assertEquals("max-packet-bytes=1500", policy.check(header(17, "127.0.0.1", "127.0.0.1", 1501), List.of()).rule());
        ByteBuffer longHeader = header(6, "127.0.0.1", "127.0.0.1", 40);
        longHeader.put(0, (byte) 0x4F); // 60 header bytes in a 40-byte packet
        assertTrue(policy.check(longHeader, List.of()).reason().contains("header length field says 60 bytes"));
        assertEquals("ipv4", policy.check(ByteBuffer.allocate(19), List.of()).rule());
        assertEquals("refused by rule max-capture=60000ms: asked for 60001 ms", policy.checkCapture(60_001).message());
    }

    @Test
    void admissionIsRootListedUidsAndGroups() {
        Policy policy = new Policy.Builder().set("allow-uid", "1000,1001").set("allow-group", "4242").build();
        assertTrue(policy.admits(new PeerCredentials(0, 0, 1)));
        assertTrue(policy.admits(new PeerCredentials(1001, 100, 1)));
        assertTrue(policy.admits(new PeerCredentials(2000, 4242, 1)));
        assertTrue(!policy.admits(new PeerCredentials(65534, 65534, 1)));
        assertTrue(policy.refusal(new PeerCredentials(65534, 65534, 77)).message().startsWith(
                "refused by rule allow-uid: uid 65534 (gid 65534, pid 77) is not allowed to use this helper"));
    }

    @Test
    void bucketsHoldOneSecondAndRefuseLongWaits() {
        RateLimiter limiter = new RateLimiter(10, 1_000_000);
        limiter.join(7);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, limiter.reserve(7, 40), "a full bucket: packet " + i);
        }
        long wait = limiter.reserve(7, 40);
        assertTrue(wait > 0 && wait <= 100_000_000L, "the 11th waits up to 1/10 s: " + wait);
        long last = wait;
        int reserved = 11;
        while ((last = limiter.reserve(7, 40)) >= 0 && reserved < 100) {
            reserved++;
        }
        assertEquals(-1, last, "refused once the wait would pass " + RateLimiter.MAX_WAIT_NANOS + " ns");
        assertTrue(reserved >= 30 && reserved <= 32, "about two seconds' worth reserved beyond the bucket: " + reserved);
        limiter.leave(7);
        assertEquals(0, limiter.size(), "the buckets go with the uid's last connection");
    }

    @Test
    void anErrorWithALongRuleKeepsTheWholeRuleInItsMessage() throws Exception {
        Policy.Builder b = new Policy.Builder();
        for (int i = 0; i < 40; i++) {
            b.set("allow-prefix", "10." + i + ".0.0/16");
        }
        Policy.Refusal r = b.build().check(header(6, "127.0.0.1", "127.0.0.1", 40), List.of());
        ByteBuffer error = Protocol.error(Protocol.E_REFUSED, r.rule(), r.message());
        Protocol.Reader reader = new Protocol.Reader("ERROR", error);
        assertEquals(Protocol.E_REFUSED, reader.u16("code"));
        assertEquals(80, reader.string8("rule").length());
        assertTrue(reader.string16("message").contains("10.39.0.0/16"));
        reader.end();
    }

    @Test
    void theBodyReaderNamesTheFieldThatIsShort() {
        Protocol.Reader r = new Protocol.Reader("SEND", ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 0, 0}));
        assertThrows(Protocol.MalformedException.class, () -> {
            r.u32("count");
            r.u32("rate");
        });
        Protocol.MalformedException e = assertThrows(Protocol.MalformedException.class,
                () -> new Protocol.Reader("CAPTURE", ByteBuffer.wrap(new byte[] {3, 'a', 'b'})).string8("interface"));
        assertEquals("CAPTURE: field 'interface' truncated (needs 3 bytes, 2 left)", e.getMessage());
        Protocol.MalformedException control = assertThrows(Protocol.MalformedException.class,
                () -> new Protocol.Reader("CAPTURE", ByteBuffer.wrap(new byte[] {0, 2, 'a', 10})).string16("filter"));
        assertTrue(control.getMessage().contains("control character"), control.getMessage());
    }
}
