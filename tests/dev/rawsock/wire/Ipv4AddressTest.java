package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dotted-quad text, parsed strictly: four ASCII numbers 0-255, nothing else. */
class Ipv4AddressTest {

    @Test
    void parsesDottedQuadsToTheAddressInNetworkOrder() {
        assertEquals(0x7F00_0001, Ipv4Address.parse("127.0.0.1"));
        assertEquals(0xC612_0002, Ipv4Address.parse("198.18.0.2"));
        assertEquals(0xFFFF_FFFF, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0, Ipv4Address.parse(" 0.0.0.0 "));
        assertEquals("198.18.0.2", Ipv4Address.text(Ipv4Address.parse("198.18.0.2")));
    }

    @Test
    void refusesAnythingElseNamingThePart() {
        for (String bad : new String[] {"127.0.0", "127.0.0.1.2", "127..0.1", "127.0.0.256", "127.0.0.1000", "a.b.c.d",
            "127.0.0.-1", "127.0.0.+1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("'" + bad + "' is not an IPv4 address"), e.getMessage());
        }
    }

    @Test
    void refusesDigitsOfOtherScripts() {
        // Arabic-Indic 1, 2, 7: Character.isDigit and Integer.parseInt both accept them; an address must not.
        String arabicIndic = "\u0661\u0662\u0667.0.0.1";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(arabicIndic));
        assertTrue(e.getMessage().contains("is not a number 0-255"), e.getMessage());
    }
}
