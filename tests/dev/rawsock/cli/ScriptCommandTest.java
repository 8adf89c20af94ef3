package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rawsock script: many command lines in one process, each as if typed after 'rawsock'. */
class ScriptCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}


    private Path script(String... lines) throws Exception {
        Path file = dir.resolve("probes.txt");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void eachLinePrintsWhatTheSameCommandPrintsAlone() throws Exception {
        String[][] commands = {
            {"craft", "tcp", "--dst", "127.0.0.1", "--dport", "80", "--seed", "1"},
            {"craft", "udp", "--dst", "127.0.0.1", "--data-string", "a b  c", "--seed", "2", "--json"},
            {"craft", "icmp", "--dst", "::1", "--icmp-seq", "3", "--seed", "3", "--show"},
            {"craft", "tcp", "--dst", "127.0.0.1", "--tcp-option", "mss=1460,sackok", "--ip-option", "nop", "--seed", "4", "--dump"},
            {"craft", "tcp", "--dst", "127.0.0.1", "--seed", "5"},
        };
        Path file = script(
                "# three packets, the way a user writes them",
                "",
                "craft tcp --dst 127.0.0.1 --dport 80 --seed 1",
                "rawsock craft udp --dst 127.0.0.1 --data-string 'a b  c' --seed 2 --json   # pasted with 'rawsock'",
                "   craft icmp --dst \"::1\" --icmp-seq 3 --seed 3 --show",
                "craft tcp --dst 127.0.0.1 --tcp-option mss=1460,sackok --ip-option nop --seed 4 --dump",
                "# the command's model is reused: nothing of the line before may stick (options, --dump)",
                "craft tcp --dst 127.0.0.1 --seed 5");
        StringBuilder expected = new StringBuilder();
        for (String[] command : commands) {
            CliRun alone = rawsock(command);
            assertEquals(0, alone.code(), alone.err());
            expected.append(alone.out());
        }
        CliRun r = rawsock("script", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(expected.toString(), r.out());
        assertTrue(r.out().contains("\"payload_length\":6"), "the quoted payload stays one word with its spaces:\n" + r.out());
        assertTrue(r.err().contains("script: 5 commands, 5 run, 0 failed"), r.err());
    }

    /** send's model (declared through Args, as craft's) is reused too: -q, --flood and --count must not stick. */
    @Test
    void sendLinesReuseTheirModelWithNothingStuck() throws Exception {
        Privileged.assumeRoot("send needs a raw socket (CAP_NET_RAW)");
        Path file = script(
                "send tcp --dst 127.0.0.1 --dport 9 --flood -c 100 --no-replies -q --seed 1",
                "send tcp --dst 127.0.0.1 --dport 9 --no-replies --seed 2");
        CliRun r = rawsock("script", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("100 packets sent, 0 received, 0.0% lost"), r.out());
        assertTrue(r.out().contains("1 packets sent, 0 received, 0.0% lost"), "the second line sends one probe:\n" + r.out());
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("SENT (")).count(),
                "only the second line prints a SENT line (-q and --flood do not stick):\n" + r.out());
        assertTrue(r.err().contains("rawsock: sending 1 tcp probe to 127.0.0.1 (seed 2)"), r.err());
    }

    @Test
    void stopsAtTheFirstFailureNamingFileAndLine() throws Exception {
        Path file = script("craft tcp --seed 1", "", "craft tcp --dport 70000", "craft udp --seed 2");
        CliRun r = rawsock("script", file.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--dport"), r.err());
        assertTrue(r.err().contains("rawsock: " + file + ":3: exit 2: craft tcp --dport 70000"), r.err());
        assertTrue(r.err().contains("script: 2 commands, 2 run, 1 failed (first at " + file + ":3, exit 2)"), r.err());
        assertTrue(r.out().contains("TCP "), r.out());
        assertFalse(r.out().contains("UDP "), "the line after the failure must not run:\n" + r.out());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void keepGoingRunsEveryLineAndExitsWithTheFirstFailure() throws Exception {
        Path broken = dir.resolve("broken.pcap");
        Files.write(broken, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Path file = script("decode " + broken, "craft tcp --dport 70000", "craft udp --seed 2");
        CliRun r = rawsock("script", "--keep-going", file.toString());
        assertEquals(ExitCodes.FAILURE, r.code(), "the first failure (a broken pcap, exit 1) decides, not the later usage error:\n" + r.err());
        assertTrue(r.err().contains(file + ":1: exit 1"), r.err());
        assertTrue(r.err().contains(file + ":2: exit 2"), r.err());
        assertTrue(r.out().contains("UDP "), r.out());
        assertTrue(r.err().contains("script: 3 commands, 3 run, 2 failed (first at " + file + ":1, exit 1)"), r.err());
    }

    @Test
    void aLineThatCannotBeSplitIsAUsageErrorWithItsPlace() throws Exception {
        Path file = script("craft tcp --data-string 'no end", "script other.txt");
        CliRun r = rawsock("script", "--keep-going", file.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains(file + ":1: unterminated ' quote starting at column 25"), r.err());
        assertTrue(r.err().contains(file + ":2: a script cannot run a script"), r.err());
        assertTrue(r.err().contains("0 run, 2 failed"), r.err());
        CliRun missing = rawsock("script", dir.resolve("nope.txt").toString());
        assertEquals(ExitCodes.USAGE, missing.code());
        assertTrue(missing.err().contains("cannot read script '" + dir.resolve("nope.txt") + "': no such file"), missing.err());
    }

    @Test
    void splitsWordsLikeAShellForTheSimpleCases() {
        assertEquals(List.of("craft", "tcp", "a b", "c'd", "e\"f", "g h", "#x"),
                ScriptCommand.words("craft tcp 'a b' \"c'd\" \"e\\\"f\" g\\ h \\#x # comment"));
        assertEquals(List.of(), ScriptCommand.words("   # only a comment"));
        assertEquals(List.of("decode", "--hex", ""), ScriptCommand.words("rawsock decode --hex ''"));
        assertEquals(List.of("a#b"), ScriptCommand.words("a#b"));
        assertThrows(IllegalArgumentException.class, () -> ScriptCommand.words("craft \"open"));
        assertThrows(IllegalArgumentException.class, () -> ScriptCommand.words("craft tcp \\"));
    }

    @Test
    void readsStandardInputThroughTheLauncher() throws Exception {
        Path input = script("craft tcp --dst 127.0.0.1 --dport 1 --seed 5", "craft tcp --dst 127.0.0.1 --dport 2 --seed 6");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(NativeTools.projectRoot().resolve("bin/rawsock").toString(), "script", "-")
                .redirectInput(input.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("rawsock script - did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(err));
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("> 127.0.0.1:1 [S]") && lines.get(1).contains("> 127.0.0.1:2 [S]"), lines.toString());
        assertTrue(Files.readString(err).contains("script: 2 commands, 2 run, 0 failed"), Files.readString(err));
    }
}
