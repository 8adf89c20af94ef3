package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 address text: RFC 5952 output, RFC 4291 §2.2 input. */
class Ipv6AddressTest {

    /** {input in any RFC 4291 form, RFC 5952 text}; the sections cited are RFC 5952's. */
    private static final String[][] CASES = {
            {"2001:db8::1", "2001:db8::1"},
            {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},   // §4.1 leading zeros dropped
            {"::1", "::1"},
            {"0:0:0:0:0:0:0:1", "::1"},
            {"::", "::"},
            {"0:0:0:0:0:0:0:0", "::"},
            {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},                     // §5 IPv4-mapped
            {"0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"},
            {"::ffff:0:0", "::ffff:0.0.0.0"},
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},                // §4.2.3 tie: the first run
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},                      // §4.2.3 the longest run
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},             // §4.2.2 a single 0 stays
            {"2001:db8::0:1", "2001:db8::1"},                             // §4.2.1 :: as far as it goes
            {"2001:DB8::A:B:C", "2001:db8::a:b:c"},                       // §4.3 lower case
            {"1:0:0:0:0:0:0:0", "1::"},
            {"0:0:1:0:0:0:0:0", "0:0:1::"},
            {"0:0:1:0:0:1:0:0", "::1:0:0:1:0:0"},
            {"fe80::fffe:a", "fe80::fffe:a"},
            {"ff02::1:ff00:b", "ff02::1:ff00:b"},
            {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
            {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
            {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
            {"::192.0.2.1", "::c000:201"},                                // IPv4-compatible (deprecated): hex
            {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},                 // NAT64: hex
            {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    };

    @Test
    void rfc5952Text() {
        for (String[] c : CASES) {
            Bytes address = Ipv6Address.parse(c[0]);
            assertEquals(c[1], Ipv6Address.text(address), c[0]);
            assertEquals(address, Ipv6Address.parse(c[1]), c[1]);
            ByteBuffer b = ByteBuffer.allocate(20);
            address.writeTo(b, 3);
            assertEquals("[" + c[1], Ipv6Address.append(new StringBuilder("["), b, 3).toString());
        }
    }

    @Test
    void parseGivesTheRightBytes() {
        assertEquals(Bytes.fromHex("20010db8000000000000000000000001"), Ipv6Address.parse("2001:db8::1"));
        assertEquals(Bytes.fromHex("00000000000000000000ffffc0000201"), Ipv6Address.parse("::ffff:192.0.2.1"));
        assertEquals(Bytes.fromHex("00010002000300040005000600070008"), Ipv6Address.parse("1:2:3:4:5:6:7:8"));
        assertEquals(Bytes.fromHex("ff020000000000000000000000000016"), Ipv6Address.parse(" ff02::16 "));
        byte[] into = new byte[16];
        Ipv6Address.parseInto("::1", into);
        assertEquals(1, into[15]);
    }

    @Test
    void badTextIsRefusedWithAReason() {
        String[][] bad = {
                {"", "empty"},
                {":::", "'::' may appear only once"},
                {"1::2::3", "'::' may appear only once"},
                {"12345::", "more than 4 hex digits"},
                {"1:2:3:4:5:6:7:8:9", "more than 8 groups"},
                {"1:2:3:4:5:6:7", "expected 8 groups"},
                {"1:2:3:4:5:6:7::8", "at least one zero group"},
                {"::1.2.3", "not a dotted IPv4 address"},
                {"::1.2.3.256", "not a dotted IPv4 address"},
                {"1.2.3.4::", "may only end the address"},
                {"::1.2.3.4:5", "may only end the address"},
                {"g::", "'g' is not a hex digit"},
                {":1::", "empty group"},
                {"1::2:", "empty group"},
                {"1:2:3:4:5:6:7:", "empty group"},
                {"fe80::1%eth0", "zone id"},
                {"1: :2", "white space"},
                {"1:2:3:4:5:6:1.2.3.4:8", "may only end the address"},
        };
        for (String[] c : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("'" + c[0] + "' is not an IPv6 address ("), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
        }
    }

    @Test
    void randomAddressesMatchAnIndependentFormatterAndParseBack() {
        Random random = new Random(0x5952);
        ByteBuffer b = ByteBuffer.allocate(16);
        for (int i = 0; i < 4 * Fields.RANDOM_ROUNDS; i++) {
            // Zero groups are common in real addresses and are where the rules bite: make half of them zero.
            for (int g = 0; g < 8; g++) {
                int value = random.nextBoolean() ? 0 : random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(0x10000);
                b.putShort(2 * g, (short) value);
            }
            if (i % 50 == 0) {
                for (int k = 0; k < 10; k++) {
                    b.put(k, (byte) 0);
                }
                b.putShort(10, (short) 0xFFFF);
            }
            Bytes address = Bytes.copyOf(b, 0, 16);
            String text = Ipv6Address.text(b, 0);
            assertEquals(reference(b), text, address.hex());
            assertEquals(address, Ipv6Address.parse(text), text);
            assertEquals(address, Ipv6Address.parse(fullUpperCase(b)), text);
        }
    }

    /**
     * RFC 5952 by a different road: write all eight groups, then replace the first occurrence of the
     * longest ":0:0...:0:" (two or more zeros) in ":g0:g1:...:g7:" with "::", and trim the outer colons.
     */
    private static String reference(ByteBuffer b) {
        int[] g = new int[8];
        for (int k = 0; k < 8; k++) {
            g[k] = b.getShort(2 * k) & 0xFFFF;
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF) {
            return "::ffff:" + (g[6] >>> 8) + "." + (g[6] & 0xFF) + "." + (g[7] >>> 8) + "." + (g[7] & 0xFF);
        }
        StringBuilder s = new StringBuilder(":");
        for (int v : g) {
            s.append(Integer.toHexString(v)).append(':');
        }
        String text = s.toString();
        for (int k = 8; k >= 2; k--) {
            String run = ":" + "0:".repeat(k);
            int at = text.indexOf(run);
            if (at >= 0) {
                text = text.substring(0, at) + "::" + text.substring(at + run.length());
                break;
            }
        }
        if (text.startsWith(":") && !text.startsWith("::")) {
            text = text.substring(1);
        }
        if (text.endsWith(":") && !text.endsWith("::")) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }

    private static String fullUpperCase(ByteBuffer b) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            s.append(k == 0 ? "" : ":").append(String.format("%04X", b.getShort(2 * k) & 0xFFFF));
        }
        return s.toString();
    }

    @Test
    void textOfBytesChecksTheLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv6Address.text(Bytes.of(new byte[4])));
        assertEquals("an IPv6 address is 16 bytes, not 4", e.getMessage());
    }
}
