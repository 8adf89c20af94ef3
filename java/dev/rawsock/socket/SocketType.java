package dev.rawsock.socket;

import dev.rawsock.linux.Constants;

/** The second argument of socket(2), named as in C. */
public enum SocketType {
    SOCK_STREAM(Constants.SOCK_STREAM),
    SOCK_DGRAM(Constants.SOCK_DGRAM),
    SOCK_RAW(Constants.SOCK_RAW),
    SOCK_SEQPACKET(Constants.SOCK_SEQPACKET);

    public final int value;

    SocketType(int value) {
        this.value = value;
    }

    /** The type with that number (flags such as SOCK_NONBLOCK ignored), or null. */
    public static SocketType of(int value) {
        int plain = value & 0xF;
        for (SocketType t : values()) {
            if (t.value == plain) {
                return t;
            }
        }
        return null;
    }
}
