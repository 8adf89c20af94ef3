package dev.rawsock.socket;

/**
 * Receives one line per system call, in C syntax with decoded arguments and the result, e.g.
 * {@code connect(3, {127.0.0.1:8080}, 16) = -1 ECONNREFUSED (Connection refused)}. A
 * {@link SocketApi} without a trace formats nothing, so tracing costs nothing when off.
 */
@FunctionalInterface
public interface CallTrace {
    void call(String line);
}
