package dev.rawsock.linux;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import java.nio.charset.StandardCharsets;

/**
 * The loaded C library, once per process. Loading costs a few hundred milliseconds (jnr generates the
 * call stubs), so it happens on first use, not when a class merely mentions sockets. When loading
 * fails (jffi cannot unpack its stub into a writable, exec-allowed temporary directory, say), the cause
 * is kept and every use reports it in one line as a {@link NativeUnavailableException}.
 */
public final class Linux {
    private Linux() {}

    private static final class Loaded {
        static final LibC LIBC;
        static final Runtime RUNTIME;
        static final Throwable FAILURE;

        static {
            LibC libc = null;
            Runtime runtime = null;
            Throwable failure = null;
            try {
                libc = LibraryLoader.create(LibC.class).load("c");
                // When jffi cannot load, jnr hands back a library whose every call throws the stored
                // error; one harmless call here turns that into a failure we keep and report.
                libc.getpid();
                runtime = Runtime.getRuntime(libc);
            } catch (Throwable t) { // LinkageError from jffi, or a provider exception: kept for the message
                libc = null;
                failure = t;
            }
            LIBC = libc;
            RUNTIME = runtime;
            FAILURE = failure;
        }
    }

    public static LibC libc() {
        if (Loaded.LIBC == null) {
            throw new NativeUnavailableException(Loaded.FAILURE);
        }
        return Loaded.LIBC;
    }

    public static Runtime runtime() {
        libc();
        return Loaded.RUNTIME;
    }

    /** errno of the last call this thread made through {@link #libc()}; read only after a -1. */
    static int lastErrno() {
        return LastError.getLastError(Loaded.RUNTIME);
    }

    /** The C library's text for an errno value, as strerror(3) gives it. */
    public static String strerror(int errno) {
        long text = libc().strerror(errno);
        if (text == 0) {
            return "Unknown error " + errno;
        }
        return Pointer.wrap(Loaded.RUNTIME, text).getString(0, 256, StandardCharsets.UTF_8);
    }

    /** The process id, as the kernel knows it (for /proc/PID and SO_PEERCRED). */
    public static int getpid() {
        return libc().getpid();
    }

    /** The effective user id; 0 means root. */
    public static int geteuid() {
        return libc().geteuid();
    }
}
