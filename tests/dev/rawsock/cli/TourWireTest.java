package dev.rawsock.cli;

import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock tour --wire}: under each call, the segments it put on lo, captured by a packet socket. */
class TourWireTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, code, err + out.toString());
        return out.toString();
    }

    /** The lines right under the first traced call that starts with {@code call}, up to the next call or comment. */
    private static String under(String out, String call) {
        int at = out.indexOf("\n" + call);
        assertTrue(at >= 0, "no " + call + " in:\n" + out);
        int start = out.indexOf('\n', at + 1) + 1;
        Matcher next = Pattern.compile("^(?!    wire: )", Pattern.MULTILINE).matcher(out);
        int end = next.find(start) ? next.start() : out.length();
        return out.substring(start, end);
    }

    @Test
    void eachCallShowsItsSegmentsConnectShutdownCloseWithUnreadDataAndAFullBacklog() {
        Privileged.assumeRoot("tour --wire (a packet socket on lo)");
        String out = run("tour", "--wire");
        String s = "127\\.0\\.0\\.1:\\d+";
        assertTrue(under(out, "connect(").matches("    wire: (" + s + ") > (" + s + ") \\[S\\] seq=0 len=0\n"
                + "    wire: \\2 > \\1 \\[SA\\] seq=0 ack=1 len=0\n"
                + "    wire: \\1 > \\2 \\[A\\] seq=1 ack=1 len=0\n"), "connect: SYN, SYN-ACK, ACK\n" + out);
        assertTrue(under(out, "accept(").isEmpty(), "accept() sends nothing: the kernel completed the handshake already\n" + out);
        assertTrue(under(out, "write(").matches("    wire: " + s + " > " + s + " \\[PA\\] seq=1 ack=1 len=14\n(    wire: .*\n)?"), out);
        assertTrue(under(out, "shutdown(").matches("    wire: (" + s + ") > (" + s + ") \\[FA\\] seq=15 ack=15 len=0\n"
                + "    wire: \\2 > \\1 \\[A\\] seq=15 ack=16 len=0\n"), "shutdown(SHUT_WR): FIN, and its (delayed) ACK\n" + out);
        int part10 = out.indexOf("# 10. close with unread data");
        assertTrue(part10 > 0, out);
        String tail = out.substring(part10 - 1);
        assertTrue(under(tail, "close(").matches("    wire: " + s + " > " + s + " \\[RA\\] seq=1 ack=8 len=0\n"), "close with unread data: RST\n" + out);
        assertTrue(tail.matches("(?s).*\nread\\(\\d+, 0x\\.\\.\\., 1024\\) = -1 ECONNRESET \\(Connection reset by peer\\)\n.*"), out);
        // Part 11: backlog 1 holds two finished connections; the third SYN is dropped (no SYN-ACK), connect() gives up.
        String backlog = out.substring(out.indexOf("# 11. the listen backlog") - 1);
        assertTrue(backlog.contains("\nlisten(") && backlog.matches("(?s).*\nlisten\\(\\d+, 1\\) = 0\n.*"), out);
        int third = backlog.indexOf(" = -1 EINPROGRESS (Operation now in progress)\n");
        assertTrue(third > 0, "the third connect() gives up:\n" + out);
        String afterThird = backlog.substring(backlog.lastIndexOf('\n', third) + 1);
        assertTrue(under("\n" + afterThird, "connect(").matches("    wire: " + s + " > " + s + " \\[S\\] seq=0 len=0\n"),
                "only a SYN, never answered:\n" + out);
        assertEquals(2, backlog.split("\\[SA\\]", -1).length - 1, "two SYN-ACKs in part 11, for the two queued connections:\n" + out);
    }

    @Test
    void withoutWireTheTourIsUnchanged() {
        String out = run("tour");
        assertFalse(out.contains("wire:") || out.contains("# 10."), out);
    }
}
