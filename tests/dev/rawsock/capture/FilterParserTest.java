package dev.rawsock.capture;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter language: what parses to what (by the canonical text), tcpdump's conventions, and errors with their columns. */
class FilterParserTest {
    private static String canonical(String text) {
        return Filter.parse(text).toString();
    }

    @Test
    void primitivesAndTheirQualifiers() {
        assertEquals("tcp", canonical("tcp"));
        assertEquals("icmp", canonical("icmp"));
        assertEquals("ip6", canonical("ip6"));
        assertEquals("ip proto 47", canonical("ip proto 47"));
        assertEquals("tcp", canonical("proto tcp"), "proto tcp over IPv4 and IPv6 is tcp");
        assertEquals("ip proto 6", canonical("ip proto tcp"));
        assertEquals("ether proto 0x88cc", canonical("ether proto 0x88cc"));
        assertEquals("host 127.0.0.1", canonical("host 127.0.0.1"));
        assertEquals("src host 127.0.0.1", canonical("src host 127.0.0.1"));
        assertEquals("src host 127.0.0.1", canonical("src 127.0.0.1"), "tcpdump: a direction and an address mean a host");
        assertEquals("ip dst host 10.0.0.1", canonical("ip dst host 10.0.0.1"));
        assertEquals("arp host 127.0.0.1", canonical("arp host 127.0.0.1"));
        assertEquals("host ::1", canonical("ip6 host 0:0::1"));
        assertEquals("net 127.0.0.0/8", canonical("net 127.0.0.0/8"));
        assertEquals("net 2001:db8::/32", canonical("net 2001:db8::/32"));
        assertEquals("host 127.0.0.1", canonical("127.0.0.1"), "a bare address is a host");
        assertEquals("port 80", canonical("port 80"));
        assertEquals("tcp dst port 443", canonical("tcp dst port 443"));
        assertEquals("udp portrange 1024-2048", canonical("udp portrange 1024-2048"));
        assertEquals("port 32768", canonical("port 0x8000"));
    }

    @Test
    void tcpFlagsTheWaysPeopleWriteThem() {
        String syn = "tcp[13] & 0x2 != 0x0";
        assertEquals(syn, canonical("tcp[flags] & syn"));
        assertEquals(syn, canonical("tcp[tcpflags] & tcp-syn != 0"));
        assertEquals(syn, canonical("tcp[13] & 2 != 0"));
        assertEquals(syn, canonical("tcp[13]&2!=0"));
        assertEquals("tcp[13] & 0x12 != 0x0", canonical("tcp[flags] & syn|ack"), "a union of flags: any of them");
        assertEquals("tcp[13] & 0x12 == 0x12", canonical("tcp[tcpflags] & (syn|ack) == syn|ack"), "all of them");
        assertEquals("tcp[13] == 0x2", canonical("tcp[13] = 2"));
        assertEquals("tcp[0:2] > 0x3ff", canonical("tcp[0:2] > 1023"));
        assertEquals("icmp[0] == 0x8", canonical("icmp[icmptype] == icmp-echo"));
        assertEquals("ip[6:2] & 0x1fff <= 0x0", canonical("ip[6:2] & 0x1fff <= 0"));
    }

    @Test
    void andOrNotAsInTcpdump() {
        assertEquals("(tcp and port 80)", canonical("tcp and port 80"));
        assertEquals("(tcp and port 80)", canonical("tcp && port 80"));
        assertEquals("((tcp or udp) and host 127.0.0.1)", canonical("tcp or udp and host 127.0.0.1"),
                "and/or bind equally, left to right (pcap-filter(7))");
        assertEquals("(tcp or (udp and host 127.0.0.1))", canonical("tcp || (udp && host 127.0.0.1)"));
        assertEquals("(not tcp and not udp)", canonical("not tcp and !udp"), "not binds tightest");
        assertEquals("not (tcp or udp)", canonical("not (tcp or udp)"));
        assertEquals("not not ip", canonical("! ! ip"));
        assertEquals("(port 80 or port 443)", canonical("port 80 or 443"), "a bare ID takes the qualifiers before it");
        assertEquals("(tcp dst port 80 or tcp dst port 443)", canonical("tcp dst port 80 or 443"));
        assertEquals("(host 127.0.0.1 and not host 127.0.0.2)", canonical("host 127.0.0.1 and not 127.0.0.2"));
        assertEquals("(tcp and port 80)", canonical("TCP and PORT 80"), "keywords in any case");
    }

    @Test
    void emptyMeansEveryPacket() {
        assertTrue(Filter.parse("").all());
        assertTrue(Filter.parse("   ").all());
        assertNull(Filter.parse(null).root());
    }

    private static FilterSyntaxException error(String text) {
        return assertThrows(FilterSyntaxException.class, () -> Filter.parse(text), text);
    }

    @Test
    void errorsNameTheProblemAndTheColumn() {
        FilterSyntaxException e = error("tcp port x");
        assertEquals("expected a port number at column 10: tcp port x", e.getMessage());
        assertEquals(10, e.column());
        // The caret sits under the column when the message follows a prefix.
        String prefix = "rawsock: --filter: ";
        String line = prefix + e.getMessage();
        assertEquals(line.indexOf(": tcp port x") + 2 + 9, e.caretLine(prefix.length()).indexOf('^'));
        assertEquals('x', line.charAt(e.caretLine(prefix.length()).indexOf('^')));

        assertEquals("expected a port number but the expression ends at column 9: tcp port", error("tcp port").getMessage());
        assertEquals("port must be 0-65535 but was 70000 at column 6: port 70000", error("port 70000").getMessage());
        assertEquals(1, error("frobnicate").column());
        assertTrue(error("frobnicate").getMessage().startsWith("expected a primitive (tcp, udp, icmp"));
        assertEquals(5, error("(tcp").column());
        assertTrue(error("(tcp").getMessage().startsWith("expected ')' to close the '(' at column 1"));
        assertEquals(5, error("tcp )").column());
        assertTrue(error("tcp )").getMessage().startsWith("unbalanced ')'"));
        assertEquals(5, error("tcp udp").column());
        assertEquals(6, error("host localhost").column());
        assertTrue(error("host localhost").getMessage().contains("names such as 'localhost' are not resolved"));
        assertTrue(error("host 127.0.0.300").getMessage().contains("300 is above 255"));
        assertEquals(5, error("net 127.0.0.1/8").column());
        assertTrue(error("net 127.0.0.1/8").getMessage().startsWith("non-network bits set in 127.0.0.1/8"));
        assertTrue(error("net 127.0.0.0/33").getMessage().startsWith("the prefix length in 127.0.0.0/33 must be 0-32"));
        assertTrue(error("host 127.0.0.0/8").getMessage().contains("write 'net 127.0.0.0/8'"));
        assertTrue(error("ip6 host 127.0.0.1").getMessage().contains("takes an IPv6 address"));
        assertTrue(error("tcp host 127.0.0.1").getMessage().contains("host and net take ip, ip6 or arp"));
        assertTrue(error("ip port 80").getMessage().contains("port takes tcp, udp or sctp"));
        assertTrue(error("portrange 2000-1000").getMessage().contains("runs backwards"));
        assertEquals(8, error("tcp[13:3] == 1").column());
        assertEquals(5, error("tcp[x] == 1").column());
        assertTrue(error("tcp[13]").getMessage().startsWith("expected '&' or a comparison"));
        assertTrue(error("tcp[flags] & bogus").getMessage().startsWith("expected a number or a flag name"));
        assertEquals(14, error("tcp[flags] & bogus").column());
        assertEquals(4, error("tcp; rm -rf /").column());
        assertTrue(error("tcp; rm").getMessage().startsWith("unexpected character ';'"));
        assertTrue(error("80").getMessage().contains("a bare number needs a qualifier, such as 'port 80'"));
        assertTrue(error("ip6[0] == 6").getMessage().contains("'ip6[...]' is not supported"));
        assertTrue(error("()").getMessage().startsWith("expected an expression inside the parentheses"));
        assertEquals(8, error("tcp and").column());
    }

    @Test
    void tooLongForTheKernelIsAnError() {
        StringBuilder e = new StringBuilder("host ::1");
        for (int i = 0; i < 260; i++) {
            e.append(" or host ::").append(Integer.toHexString(i + 2));
        }
        Filter f = Filter.parse(e.toString());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> f.compile(BpfCompiler.Link.ETHERNET, false));
        assertTrue(x.getMessage().contains("the kernel takes at most 4096"), x.getMessage());
    }
}
