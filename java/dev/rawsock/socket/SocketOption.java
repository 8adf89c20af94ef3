package dev.rawsock.socket;

import java.nio.ByteBuffer;

/**
 * A socket option with its real name, level, C value layout and unit, e.g. SO_RCVBUF (bytes) or
 * TCP_INFO (struct tcp_info). The known ones are in {@link SocketOptions}; anything else is reachable
 * through the raw {@code getsockopt(socket, level, name, maxLength)} of {@link SocketApi}.
 *
 * @param <T> the Java type of the value
 */
public final class SocketOption<T> {
    /** How a value sits in the kernel's buffer, how it reads in a trace, and how a user writes it. */
    interface Codec<T> {
        int sizeBytes();

        void encode(ByteBuffer b, int offset, T value);

        T decode(ByteBuffer b, int offset, int lengthBytes);

        /** The C-style rendering in the call trace: {@code [131072]} or {@code {l_onoff=1, l_linger=5}}. */
        String traceText(T value);

        T parse(String text);
    }

    private final String name;
    private final int level;
    private final int optname;
    private final Codec<T> codec;
    private final String unit;
    private final boolean settable;
    private final String meaning;

    SocketOption(String name, int level, int optname, Codec<T> codec, String unit, boolean settable, String meaning) {
        this.name = name;
        this.level = level;
        this.optname = optname;
        this.codec = codec;
        this.unit = unit;
        this.settable = settable;
        this.meaning = meaning;
    }

    /** The C name, e.g. "SO_RCVBUF". */
    public String name() {
        return name;
    }

    public int level() {
        return level;
    }

    public int optname() {
        return optname;
    }

    /** The unit of the value ("bytes", "seconds", "on/off", ...). */
    public String unit() {
        return unit;
    }

    /** False for read-only options such as SO_ERROR, SO_TYPE and TCP_INFO. */
    public boolean settable() {
        return settable;
    }

    /** One line on what the option does. */
    public String meaning() {
        return meaning;
    }

    /** Parses a value as a user writes it on the command line; IllegalArgumentException names the problem. */
    public T parse(String text) {
        return codec.parse(text.trim());
    }

    Codec<T> codec() {
        return codec;
    }

    @Override
    public String toString() {
        return name;
    }
}
