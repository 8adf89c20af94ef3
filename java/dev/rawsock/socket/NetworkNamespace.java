package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Syscall;

import java.nio.charset.StandardCharsets;

/**
 * Entering a network namespace from Java, without a subprocess: open(2) the namespace's file (for a
 * namespace made by {@code ip netns add NAME}, {@code /run/netns/NAME}), then setns(2) with
 * CLONE_NEWNET. setns moves only the calling thread; every socket that thread creates afterwards belongs
 * to that namespace for its whole life, whichever thread uses it later. So the pattern is: a dedicated
 * thread enters, creates its sockets, and may then end (the sockets keep the namespace).
 *
 * <p>Needs CAP_SYS_ADMIN (root). The move cannot be undone without a handle to the old namespace, so
 * never call this on a thread that is not dedicated to the namespace (a pool's, or main).
 */
public final class NetworkNamespace {
    private NetworkNamespace() {}

    /** Where iproute2 keeps the named namespaces (bind mounts that keep them alive without a process). */
    public static final String RUN_DIRECTORY = "/run/netns";

    /** {@code /run/netns/NAME}. */
    public static String pathOf(String name) {
        return RUN_DIRECTORY + "/" + name;
    }

    /** Moves the calling thread into the named network namespace ({@code /run/netns/NAME}). */
    public static void enter(String name) throws ErrnoException {
        enterFile(pathOf(name));
    }

    /** Moves the calling thread into the network namespace of {@code file} (a /run/netns entry or /proc/PID/ns/net). */
    public static void enterFile(String file) throws ErrnoException {
        LibC libc = Linux.libc();
        byte[] bytes = file.getBytes(StandardCharsets.UTF_8);
        NativeBuffer path = NativeBuffer.allocate(bytes.length + 1);
        path.buffer().put(0, bytes);
        path.buffer().put(bytes.length, (byte) 0);
        int fd;
        int errno = 0;
        while ((fd = libc.open(path.address(), Constants.O_RDONLY | Constants.O_CLOEXEC, 0)) < 0
                && Syscall.interrupted(errno = Syscall.errno())) {
            // open again after EINTR
        }
        if (fd < 0) {
            throw Syscall.failure("open", errno, file);
        }
        try {
            if (libc.setns(fd, Constants.CLONE_NEWNET) < 0) {
                throw Syscall.failure("setns", Syscall.errno(), file + ", CLONE_NEWNET");
            }
        } finally {
            libc.close(fd);
        }
    }
}
