package dev.rawsock.wire;

import static dev.rawsock.wire.TcpHeaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IcmpTypesTest {

    @Test
    void typeNames() {
        assertEquals("echo-reply", IcmpTypes.typeName(0));
        assertEquals("dest-unreachable", IcmpTypes.typeName(3));
        assertEquals("source-quench", IcmpTypes.typeName(4));
        assertEquals("redirect", IcmpTypes.typeName(5));
        assertEquals("echo-request", IcmpTypes.typeName(8));
        assertEquals("router-advert", IcmpTypes.typeName(9));
        assertEquals("router-solicit", IcmpTypes.typeName(10));
        assertEquals("time-exceeded", IcmpTypes.typeName(11));
        assertEquals("parameter-problem", IcmpTypes.typeName(12));
        assertEquals("timestamp", IcmpTypes.typeName(13));
        assertEquals("timestamp-reply", IcmpTypes.typeName(14));
        assertEquals("type-1", IcmpTypes.typeName(1));
        assertEquals("type-42", IcmpTypes.typeName(42));
        assertEquals("type-255", IcmpTypes.typeName(255));
    }

    @Test
    void allSixteenDestinationUnreachableCodes() {
        List<String> expected = List.of("net-unreachable", "host-unreachable", "protocol-unreachable", "port-unreachable",
                "fragmentation-needed", "source-route-failed", "net-unknown", "host-unknown", "source-host-isolated",
                "net-prohibited", "host-prohibited", "net-unreachable-for-tos", "host-unreachable-for-tos",
                "communication-prohibited", "host-precedence-violation", "precedence-cutoff");
        for (int code = 0; code < 16; code++) {
            assertEquals(expected.get(code), IcmpTypes.codeName(3, code), "code " + code);
        }
        assertEquals("code-16", IcmpTypes.codeName(3, 16));
        assertEquals(IcmpTypes.PORT_UNREACHABLE, IcmpTypes.parseCode(3, "port-unreachable"));
        assertEquals(IcmpTypes.FRAGMENTATION_NEEDED, IcmpTypes.parseCode(3, "fragmentation-needed"));
        assertEquals(IcmpTypes.COMMUNICATION_PROHIBITED, IcmpTypes.parseCode(3, "communication-prohibited"));
    }

    @Test
    void otherCodeNames() {
        assertEquals("redirect-net", IcmpTypes.codeName(5, 0));
        assertEquals("redirect-host", IcmpTypes.codeName(5, 1));
        assertEquals("redirect-tos-net", IcmpTypes.codeName(5, 2));
        assertEquals("redirect-tos-host", IcmpTypes.codeName(5, 3));
        assertEquals("ttl-exceeded", IcmpTypes.codeName(11, 0));
        assertEquals("fragment-reassembly", IcmpTypes.codeName(11, 1));
        assertEquals("pointer", IcmpTypes.codeName(12, 0));
        assertEquals("bad-length", IcmpTypes.codeName(12, 2));
        assertEquals("normal", IcmpTypes.codeName(9, 0));
        assertEquals("no-common-traffic", IcmpTypes.codeName(9, 16));
        assertEquals("code-0", IcmpTypes.codeName(8, 0));
        assertEquals("code-7", IcmpTypes.codeName(0, 7));
        assertEquals("code-2", IcmpTypes.codeName(11, 2));
        assertEquals("code-3", IcmpTypes.codeName(200, 3));
    }

    @Test
    void quotesPacket() {
        Set<Integer> quoting = new HashSet<>();
        for (int type = 0; type < 256; type++) {
            if (IcmpTypes.quotesPacket(type)) {
                quoting.add(type);
            }
        }
        assertEquals(Set.of(3, 4, 5, 11, 12), quoting);
        assertFalse(IcmpTypes.quotesPacket(8));
        assertTrue(IcmpTypes.quotesPacket(IcmpTypes.TIME_EXCEEDED));
    }

    @Test
    void everyNameParsesBack() {
        for (int type = 0; type < 256; type++) {
            assertEquals(type, IcmpTypes.parseType(IcmpTypes.typeName(type)));
            assertEquals(type, IcmpTypes.parseType(Integer.toString(type)));
            for (int code = 0; code < 256; code++) {
                assertEquals(code, IcmpTypes.parseCode(type, IcmpTypes.codeName(type, code)));
            }
        }
        assertEquals(8, IcmpTypes.parseType(" Echo-Request "));
    }

    @Test
    void parseErrorsNameTheText() {
        assertMessage("'echo' is not an ICMP type", () -> IcmpTypes.parseType("echo"));
        assertMessage("'256'", () -> IcmpTypes.parseType("256"));
        assertMessage("'type-'", () -> IcmpTypes.parseType("type-"));
        assertMessage("'ttl-exceeded' is not a code of ICMP dest-unreachable", () -> IcmpTypes.parseCode(3, "ttl-exceeded"));
        assertMessage("'-1'", () -> IcmpTypes.parseCode(8, "-1"));
    }
}
