package dev.rawsock.socket;

import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The process's open-descriptor count (/proc/self/fd) is the same after many cycles, error paths included. */
class DescriptorLeakTest {
    private final SocketApi api = SocketApi.create();

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void tenThousandSocketCloseCycles() throws Exception {
        api.close(api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)); // warm up: loads the library and classes
        long before = openDescriptors();
        for (int i = 0; i < 10_000; i++) {
            Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            api.close(s);
        }
        assertEquals(before, openDescriptors());
    }

    @Test
    void failedConnectsInTryWithResourcesLeakNothing() throws Exception {
        try (Socket holder = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.bind(holder, new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress refused = api.getsockname(holder); // bound, not listening: connects are refused
            long before = openDescriptors();
            int refusals = 0;
            for (int i = 0; i < 1_000; i++) {
                try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
                    api.connect(s, refused);
                } catch (ErrnoException e) {
                    assertEquals(Errno.ECONNREFUSED, e.errno());
                    refusals++;
                }
            }
            assertEquals(1_000, refusals);
            assertEquals(before, openDescriptors());
        }
    }
}
