package dev.rawsock.linux;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import java.nio.charset.StandardCharsets;

/**
 * The loaded C library, once per process. Loading costs a few hundred milliseconds (jnr generates the
 * call stubs), so it happens on first use, not when a class merely mentions sockets.
 */
public final class Linux {
    private Linux() {}

    private static final class Loaded {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    public static LibC libc() {
        return Loaded.LIBC;
    }

    public static Runtime runtime() {
        return Loaded.RUNTIME;
    }

    /** errno of the last call this thread made through {@link #libc()}; read only after a -1. */
    static int lastErrno() {
        return LastError.getLastError(Loaded.RUNTIME);
    }

    /** The C library's text for an errno value, as strerror(3) gives it. */
    public static String strerror(int errno) {
        long text = Loaded.LIBC.strerror(errno);
        if (text == 0) {
            return "Unknown error " + errno;
        }
        return Pointer.wrap(Loaded.RUNTIME, text).getString(0, 256, StandardCharsets.UTF_8);
    }

    /** The process id, as the kernel knows it (for /proc/PID and SO_PEERCRED). */
    public static int getpid() {
        return Loaded.LIBC.getpid();
    }

    /** The effective user id; 0 means root. */
    public static int geteuid() {
        return Loaded.LIBC.geteuid();
    }
}
