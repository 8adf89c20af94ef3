package dev.rawsock.wire;

import static dev.rawsock.wire.TcpHeaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpFlagsTest {

    @Test
    void constantsAreTheHeaderBits() {
        assertEquals(0x001, TcpFlags.FIN);
        assertEquals(0x002, TcpFlags.SYN);
        assertEquals(0x004, TcpFlags.RST);
        assertEquals(0x008, TcpFlags.PSH);
        assertEquals(0x010, TcpFlags.ACK);
        assertEquals(0x020, TcpFlags.URG);
        assertEquals(0x040, TcpFlags.ECE);
        assertEquals(0x080, TcpFlags.CWR);
        assertEquals(0x100, TcpFlags.NS);
        assertEquals(TcpFlags.NS, TcpFlags.AE);
        assertEquals(0x1FF, TcpFlags.ALL);
    }

    @Test
    void names() {
        assertEquals(List.of("SYN", "ACK"), TcpFlags.names(0x012));
        assertEquals(List.of(), TcpFlags.names(0));
        assertEquals(List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"), TcpFlags.names(0x1FF));
        assertEquals(List.of("NS"), TcpFlags.names(TcpFlags.AE));
        assertMessage("0x200", () -> TcpFlags.names(0x200));
        assertMessage("0x", () -> TcpFlags.letters(-1));
    }

    @ParameterizedTest
    @CsvSource({"0x002, S", "0x012, SA", "0x011, FA", "0x004, R", "0x014, RA", "0x018, PA", "0x003, FS", "0x0C2, SEC",
            "0x1FF, FSRPAUECN", "0x100, N", "0x050, AE", "0x029, FPU", "0x000, ''"})
    void letters(String flags, String letters) {
        int value = Integer.decode(flags);
        assertEquals(letters, TcpFlags.letters(value));
        assertEquals(letters, TcpFlags.appendLetters(new StringBuilder(), value).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "syn,ack; 0x012", "SA; 0x012", "0x12; 0x012", "18; 0x012", "SYN|ACK; 0x012", "syn+ack; 0x012",
            "' syn , ack '; 0x012", "as; 0x012", "sa; 0x012", "0X12; 0x012", "fin; 0x001", "FIN,S; 0x003", "SF; 0x003",
            "ns; 0x100", "NS; 0x100", "N; 0x100", "SN; 0x102", "ece; 0x040", "EC; 0x0C0", "cwr; 0x080", "urg,psh; 0x028",
            "AE; 0x050", "rst; 0x004", "none; 0x000", "all; 0x1FF", "0; 0x000", "511; 0x1FF", "0x1ff; 0x1FF",
            "syn,0x10; 0x012", "SS; 0x002"})
    void parse(String text, String expected) {
        assertEquals(Integer.decode(expected), TcpFlags.parse(text));
    }

    @Test
    void parseErrorsNameTheBadPart() {
        assertMessage("'xyz' in TCP flags 'syn,xyz' is not a TCP flag", () -> TcpFlags.parse("syn,xyz"));
        assertMessage("'SAX'", () -> TcpFlags.parse("SAX"));
        assertMessage("'0x200' in TCP flags '0x200' is above 0x1ff", () -> TcpFlags.parse("0x200"));
        assertMessage("'512'", () -> TcpFlags.parse("512"));
        assertMessage("'0xzz' in TCP flags 'syn,0xzz' is not a number", () -> TcpFlags.parse("syn,0xzz"));
        assertMessage("'1a'", () -> TcpFlags.parse("1a"));
        assertMessage("empty part in TCP flags 'syn,,ack'", () -> TcpFlags.parse("syn,,ack"));
        assertMessage("empty part", () -> TcpFlags.parse("syn,"));
        assertMessage("no TCP flags given", () -> TcpFlags.parse(""));
        assertMessage("no TCP flags given", () -> TcpFlags.parse("  "));
        assertMessage("no TCP flags given", () -> TcpFlags.parse(null));
    }

    @Test
    void everyValueRoundTripsThroughLettersNamesAndNumbers() {
        for (int flags = 0; flags <= 0x1FF; flags++) {
            String letters = TcpFlags.letters(flags);
            assertEquals(flags, TcpFlags.parse(flags == 0 ? "none" : letters), letters);
            List<String> names = TcpFlags.names(flags);
            assertEquals(flags, TcpFlags.parse(flags == 0 ? "none" : String.join(",", names)), names.toString());
            assertEquals(flags, TcpFlags.parse("0x" + Integer.toHexString(flags)));
            assertEquals(flags, TcpFlags.parse(Integer.toString(flags)));
            assertEquals(letters.length(), names.size());
        }
    }
}
