package dev.rawsock.helper;

import dev.rawsock.cli.Main;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket file of `rawsock helper` (run as a process of its own): its mode and group as asked, no
 * staging directory left behind, removed on SIGTERM; a live helper's path refused, a stale socket file
 * replaced, a regular file never clobbered; abstract names; a bad config line exits 2 naming file:line.
 */
class HelperSocketFileTest {
    private Path dir;

    @BeforeEach
    void directory() throws Exception {
        Privileged.assumeRoot("the helper's raw socket");
        dir = HelperTesting.openDirectory();
    }

    @AfterEach
    void remove() throws Exception {
        HelperTesting.remove(dir);
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private List<String> leftovers() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".rawsock-helper-")).toList();
        }
    }

    @Test
    void openToAllBySoPeercredThenRemovedOnSigterm() throws Exception {
        Path socket = dir.resolve("open.sock");
        HelperTesting.Daemon helper = new HelperTesting.Daemon(dir, socket.toString(), List.of());
        try {
            assertEquals(0xC000, mode(socket) & 0xF000, "a socket");
            assertEquals(0666, mode(socket) & 07777);
            assertEquals(List.of(), leftovers());
            try (HelperClient c = HelperClient.connect(socket.toString())) {
                assertEquals(0, c.hello().uid());
            }
        } finally {
            assertEquals(143, helper.stop(), "SIGTERM: 128 + 15"); // the JVM's exit after its shutdown hooks ran
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "removed on exit");
        assertTrue(helper.stderr().contains("STOP: the helper at " + socket + " stopped"), helper.stderr());
    }

    @Test
    void aSocketGroupGetsModeSixSixtyAndThatGroup() throws Exception {
        Path socket = dir.resolve("group.sock");
        try (HelperTesting.Daemon helper = new HelperTesting.Daemon(dir, socket.toString(), List.of(), "--socket-group", "65534")) {
            assertEquals(0660, mode(socket) & 07777);
            assertEquals(65534, (Integer) Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(0, (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            // uid 65534 without that group cannot even connect: the file's mode stops it before SO_PEERCRED
            Path jar = HelperTesting.jarFor(dir);
            NativeTools.Result r = NativeTools.run(60, List.of("setpriv", "--reuid=65534", "--regid=65533", "--clear-groups",
                    "--inh-caps=-all", "--", HelperTesting.java(), "-jar", jar.toString(), "send", "udp", "--dport", "9",
                    "--helper", socket.toString()));
            assertEquals(3, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("does not answer (") && r.stderr().contains("ermission denied"), r.stderr());
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aLiveHelpersPathIsRefusedAStaleOneReplacedARegularFileKept() throws Exception {
        Path socket = dir.resolve("live.sock");
        try (HelperTesting.Daemon helper = new HelperTesting.Daemon(dir, socket.toString(), List.of())) {
            NativeTools.Result second = NativeTools.run(60, List.of(HelperTesting.java(), "-jar", HelperTesting.jar().toString(),
                    "helper", "--socket", socket.toString()));
            assertEquals(2, second.exitCode(), second.stderr());
            assertTrue(second.stderr().contains("a helper already answers there"), second.stderr());
            assertTrue(SocketFile.answers(socket.toString()), "the first helper still serves");
        }

        Path stale = dir.resolve("stale.sock");
        UnixServerSocketChannel dead = UnixServerSocketChannel.open();
        dead.socket().bind(new UnixSocketAddress(stale.toString()));
        dead.close(); // the file stays behind, as after a crash
        assertTrue(Files.exists(stale, LinkOption.NOFOLLOW_LINKS));
        assertFalse(SocketFile.answers(stale.toString()));
        try (HelperTesting.Daemon helper = new HelperTesting.Daemon(dir, stale.toString(), List.of())) {
            assertTrue(SocketFile.answers(stale.toString()));
        }

        Path regular = dir.resolve("notes.txt");
        Files.writeString(regular, "keep me");
        NativeTools.Result r = NativeTools.run(60, List.of(HelperTesting.java(), "-jar", HelperTesting.jar().toString(),
                "helper", "--socket", regular.toString()));
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("it exists and is not a socket"), r.stderr());
        assertEquals("keep me", Files.readString(regular));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void anAbstractNameHasNoFile() throws Exception {
        String name = "@rawsock-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (HelperTesting.Daemon helper = new HelperTesting.Daemon(dir, name, List.of());
             HelperClient c = HelperClient.connect(name)) {
            assertEquals(0, c.hello().uid());
            assertTrue(helper.stderr().contains("listening on " + name + " (abstract)"), helper.stderr());
        }
        assertFalse(SocketFile.answers(name), "gone with the process");
    }

    @Test
    void aBadConfigLineExitsTwoNamingFileAndLine() throws Exception {
        Path config = dir.resolve("helper.conf");
        Files.writeString(config, "# rawsock helper\nmax-pps=100\n\nmax-clients=lots\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "helper", "--socket", dir.resolve("c.sock").toString(),
                "--config", config.toString());
        assertEquals(2, code, err.toString());
        assertEquals("rawsock: " + config + ":4: 'lots' is not a number 1-1024\n", err.toString());

        Files.writeString(config, "max-pps 100\n");
        err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(out), new PrintWriter(err), "helper", "--socket", dir.resolve("c.sock").toString(),
                "--config", config.toString()));
        assertTrue(err.toString().startsWith("rawsock: " + config + ":1: expected key=value"), err.toString());
        assertFalse(Files.exists(dir.resolve("c.sock")));
        List<String> args = new ArrayList<>(List.of("helper", "--socket", dir.resolve("c.sock").toString(), "--allow-prefix", "10.0.0.1/8"));
        err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new)));
        assertTrue(err.toString().contains("--allow-prefix: 10.0.0.1/8 has host bits set (did you mean 10.0.0.0/8?)"), err.toString());
    }
}
