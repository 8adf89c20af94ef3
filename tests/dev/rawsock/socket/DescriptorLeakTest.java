package dev.rawsock.socket;

import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many socket/close cycles, error paths included, leak no descriptor. Two checks: the descriptor numbers the cycles
 * got (a leak makes each cycle take a new, higher number; without one the kernel hands the same lowest free number
 * back), and the process's open sockets (/proc/self/fd entries that are sockets): every one open after the cycles
 * was open before them, as the same socket. Only sockets, and no count: other threads of the test JVM (a child
 * process's pipes closed by the JDK's reaper thread) close descriptors of their own meanwhile.
 */
class DescriptorLeakTest {
    private final SocketApi api = SocketApi.create();

    /** The process's open sockets, each as "fd socket:[inode]" (proc(5): /proc/self/fd links). */
    private static Set<String> openSockets() throws IOException {
        Set<String> sockets = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        sockets.add(fd.getFileName() + " " + target);
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // another thread's descriptor, closed while the directory was read
                }
            }
        }
        return sockets;
    }

    /**
     * How many different numbers the cycles may get without a leak: the lowest free number, plus a few for
     * the moments another thread of the JVM holds a lower one (a leak makes one new number per cycle).
     */
    private static final int NUMBERS_WITHOUT_LEAK = 16;

    @Test
    void tenThousandSocketCloseCycles() throws Exception {
        api.close(api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)); // warm up: loads the library and classes
        Set<String> before = openSockets();
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            numbers.add(s.fd());
            api.close(s);
        }
        assertTrue(numbers.size() <= NUMBERS_WITHOUT_LEAK, "descriptor numbers used: " + numbers);
        assertTrue(before.containsAll(openSockets()), "sockets open before: " + before + ", after: " + openSockets());
    }

    @Test
    void failedConnectsInTryWithResourcesLeakNothing() throws Exception {
        try (Socket holder = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.bind(holder, new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress refused = api.getsockname(holder); // bound, not listening: connects are refused
            Set<String> before = openSockets();
            Set<Integer> numbers = new HashSet<>();
            int refusals = 0;
            for (int i = 0; i < 1_000; i++) {
                try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
                    numbers.add(s.fd());
                    api.connect(s, refused);
                } catch (ErrnoException e) {
                    assertEquals(Errno.ECONNREFUSED, e.errno());
                    refusals++;
                }
            }
            assertEquals(1_000, refusals);
            assertTrue(numbers.size() <= NUMBERS_WITHOUT_LEAK, "descriptor numbers used: " + numbers);
            assertTrue(before.containsAll(openSockets()), "sockets open before: " + before + ", after: " + openSockets());
        }
    }
}
