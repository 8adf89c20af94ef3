package dev.rawsock.socket;

/**
 * SO_LINGER (socket(7)): when enabled, close() waits up to {@code seconds} for unsent data; enabled
 * with 0 seconds makes close() reset the connection (RST) instead of the FIN handshake.
 */
public record Linger(boolean enabled, int seconds) {
    public static final Linger OFF = new Linger(false, 0);

    @Override
    public String toString() {
        return enabled ? "on, " + seconds + " s" : "off";
    }
}
