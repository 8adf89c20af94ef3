package dev.rawsock.lab;

import dev.rawsock.socket.NetworkNamespace;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Labs leave nothing behind: the namespaces (ip netns list), the veth links (none ever appear in the
 * host's namespace) and the /run/netns files, whether the lab is closed normally, by a failing test,
 * by Ctrl-C (the shutdown hook), or not at all because its process was killed (the next lab removes it).
 */
class LabCleanupTest {
    private List<String> namespacesBefore;
    private List<String> vethBefore;

    @BeforeEach
    void countBefore() throws Exception {
        Privileged.assumeRoot("building a lab (network namespaces, veth, packet sockets)");
        namespacesBefore = LabTesting.netnsListOfThisProcess();
        vethBefore = LabTesting.hostVethLinks();
    }

    @AfterEach
    void nothingLeft() throws Exception {
        if (namespacesBefore == null) {
            return;
        }
        Lab.removeStale(); // whatever happened above, leave the machine as it was
        assertEquals(namespacesBefore, LabTesting.netnsListOfThisProcess(), "ip netns list differs from before the test");
        assertEquals(vethBefore, LabTesting.hostVethLinks(), "veth links in the host namespace differ from before the test");
    }

    @Test
    void aLabIsRemovedWhenTheTestUsingItFails() throws Exception {
        String[] names = new String[2];
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            try (Lab lab = Lab.create()) {
                names[0] = lab.craftingNamespace();
                names[1] = lab.targetNamespace();
                LabTarget.start(lab);
                FrameLink.open(lab, SocketApi.create());
                List<String> during = LabTesting.netnsListOfThisProcess();
                assertTrue(during.stream().anyMatch(l -> l.startsWith(names[0])), during.toString());
                assertTrue(during.stream().anyMatch(l -> l.startsWith(names[1])), during.toString());
                assertEquals(vethBefore, LabTesting.hostVethLinks(), "the veth pair is never in the host's namespace");
                throw new IllegalStateException("a test failing in the middle of its lab");
            }
        });
        assertEquals("a test failing in the middle of its lab", failure.getMessage());
        assertFalse(Files.exists(Path.of(NetworkNamespace.pathOf(names[0]))));
        assertFalse(Files.exists(Path.of(NetworkNamespace.pathOf(names[1]))));
    }

    @Test
    void closeIsIdempotentAndAClosedLabTakesNoMoreResources() throws Exception {
        Lab lab = Lab.create();
        lab.close();
        lab.close();
        assertTrue(lab.isClosed());
        assertThrows(LabException.class, () -> lab.register(() -> {}));
        assertFalse(Lab.existingNamespaces().contains(lab.craftingNamespace()));
    }

    @Test
    void aKilledProcessLeavesAStaleLabThatTheNextLabRemoves() throws Exception {
        Child child = Child.start("--badsum", "syn", "--timeout", "20s");
        try {
            List<String> stale = child.awaitLab();
            child.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertTrue(child.process.waitFor(10, TimeUnit.SECONDS));
            assertTrue(Lab.existingNamespaces().containsAll(stale), "killed with -9, the lab stays: " + Lab.existingNamespaces());
            try (Lab next = Lab.create()) {
                assertTrue(next.removedStale().containsAll(stale), "the next lab removed " + next.removedStale() + ", not " + stale);
            }
            for (String ns : stale) {
                assertFalse(Files.exists(Path.of(NetworkNamespace.pathOf(ns))), ns + " is still there");
            }
        } finally {
            child.stop();
        }
    }

    @Test
    void ctrlCRemovesTheLabThroughTheShutdownHook() throws Exception {
        Child child = Child.start("--badsum", "syn", "--timeout", "20s");
        try {
            List<String> lab = child.awaitLab();
            NativeTools.Result kill = NativeTools.run(5, List.of("kill", "-INT", Long.toString(child.process.pid())));
            assertEquals(0, kill.exitCode(), kill.stderr());
            assertTrue(child.process.waitFor(10, TimeUnit.SECONDS), "SIGINT did not end the run");
            for (String ns : lab) {
                assertFalse(Lab.existingNamespaces().contains(ns), "the shutdown hook left " + ns + "; output: " + child.output());
            }
        } finally {
            child.stop();
        }
    }

    /** {@code java -jar target/rawsock.jar handshake ARGS} as a separate process, its output in a temporary file. */
    private record Child(Process process, Path outputFile) {
        static Child start(String... args) throws Exception {
            Path jar = NativeTools.projectRoot().resolve("target/rawsock.jar");
            assertTrue(Files.exists(jar), "target/rawsock.jar is missing: run 'make build' first");
            Path out = Files.createTempFile("rawsock-lab-child", ".txt");
            List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "handshake"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(NativeTools.withDefaultSigint(command)).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new Child(p, out);
        }

        /** Waits (at most 20 s) until both namespaces of the child's lab exist; returns their names. */
        List<String> awaitLab() throws Exception {
            String prefix = Lab.PREFIX + process.pid() + "-";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                List<String> mine = Lab.existingNamespaces().stream().filter(n -> n.startsWith(prefix)).toList();
                // The SYN is sent only after the lab is complete: wait for the lab to be waiting for its SYN-ACK.
                if (mine.size() == 2 && output().contains("SENT")) {
                    return mine;
                }
                assertTrue(process.isAlive(), "the child ended early: " + output());
                Thread.sleep(50);
            }
            throw new AssertionError("the child built no lab within 20 s: " + output());
        }

        String output() throws Exception {
            return Files.readString(outputFile);
        }

        void stop() throws Exception {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(outputFile);
        }
    }
}
