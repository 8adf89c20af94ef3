package dev.rawsock.course;

import org.junit.jupiter.api.Test;

import static dev.rawsock.course.OutputNormaliser.normalise;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The normaliser hides what changes from run to run, and nothing that a lesson's reader relies on. */
class OutputNormaliserTest {
    private static final String RUN = """
            lab rawsock-14950-1: two network namespaces
            SENT (0.0050s) TCP 198.18.0.1:40000 > 198.18.0.2:7 [S] seq=1000 win=64240 <mss 1460> len=0
            RCVD (0.0102s) TCP 198.18.0.2:7 > 198.18.0.1:40000 [SA] seq=2912116604 ack=1001 win=64240 <mss 1460> len=0
                   ack=2912116605 (rel 1) = their seq 2912116604 + 1 for SYN
                   seq=2912116605 (rel 1): 6 bytes of data, numbered 2912116605..2912116610, in order
            accept(7, {127.0.0.1:53090}) = 11
            read(11, "hello, server\\n", 1024) = 14
            getsockopt(9, IPPROTO_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED, tcpi_rtt=32, tcpi_rttvar=12, tcpi_snd_cwnd=11}) = 0
            """;

    @Test
    void runToRunValuesAreReplacedConsistently() {
        String other = RUN.replace("14950", "777").replace("0.0050", "0.0091").replace("2912116604", "3000000000").replace("2912116605", "3000000001")
                .replace("2912116610", "3000000006").replace("53090", "41000").replace("(7,", "(40,").replace("= 11", "= 42")
                .replace("(11,", "(42,").replace("rtt=32", "rtt=99").replace("cwnd=11", "cwnd=10");
        assertEquals(normalise(RUN), normalise(other));
        assertEquals(normalise(RUN), normalise(RUN.replace("\n", "   \n")), "trailing spaces");
    }

    /** The JVM reused its numbers in another order than the C-like CLI run (CI, 2026-11-24): 51/50 vs 4/5. */
    @Test
    void aReusedDescriptorNumberIsANewDescriptor() {
        String cli = """
                socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4
                accept(3, {127.0.0.1:39238}) = 5
                close(5) = 0
                close(4) = 0
                socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4
                accept(3, {127.0.0.1:39248}) = 5
                read(5, "", 1024) = 0
                """;
        String jvm = """
                socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 51
                accept(48, {127.0.0.1:39238}) = 50
                close(50) = 0
                close(51) = 0
                socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 50
                accept(48, {127.0.0.1:39248}) = 51
                read(51, "", 1024) = 0
                """;
        assertEquals(normalise(cli), normalise(jvm));
        assertNotEquals(normalise(cli), normalise(jvm.replace("read(51,", "read(50,")), "the second accepted socket is the one read");
    }

    @Test
    void whatTheLessonTeachesStillCounts() {
        // Sequence arithmetic off by one, the data, our own numbers, a different descriptor pattern, a fixed port.
        assertNotEquals(normalise(RUN), normalise(RUN.replace("ack=2912116605 (rel 1)", "ack=2912116606 (rel 1)")));
        assertNotEquals(normalise(RUN), normalise(RUN.replace("hello, server", "hello, server!")));
        assertNotEquals(normalise(RUN), normalise(RUN.replace("seq=1000", "seq=1001")));
        assertNotEquals(normalise(RUN), normalise(RUN.replace("read(11,", "read(7,")), "the accepted socket is the one read");
        assertNotEquals(normalise(RUN), normalise(RUN.replace("198.18.0.2:7 ", "198.18.0.2:9 ")));
        assertNotEquals(normalise(RUN), normalise(RUN.replace("win=64240 <mss", "win=65535 <mss")));
        assertNotEquals(normalise(RUN), normalise(RUN.replace("TCP_ESTABLISHED", "TCP_CLOSE")));
        // Two different ephemeral ports stay different after normalising.
        assertNotEquals(normalise("a 127.0.0.1:53090 b 127.0.0.1:53098"), normalise("a 127.0.0.1:53090 b 127.0.0.1:53090"));
    }
}
