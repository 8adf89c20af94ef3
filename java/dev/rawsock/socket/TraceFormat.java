package dev.rawsock.socket;

import dev.rawsock.linux.Linux;
import dev.rawsock.linux.Errno;

import java.nio.ByteBuffer;

/** How the call trace writes arguments and results; native/tour.c writes them the same way. */
final class TraceFormat {
    private TraceFormat() {}

    /** Bytes shown of a read or write buffer before "..." */
    static final int SHOWN_BYTES = 32;

    /** " = 3" or " = -1 ECONNREFUSED (Connection refused)". */
    static String result(long rc, int errno) {
        if (rc >= 0) {
            return " = " + rc;
        }
        return " = -1 " + Errno.symbol(errno) + " (" + Linux.strerror(errno) + ")";
    }

    /** A C string literal of the first bytes, strace style: {@code "hello\n"...}. */
    static String bytes(ByteBuffer b, int offset, int length) {
        StringBuilder text = new StringBuilder(SHOWN_BYTES + 8).append('"');
        int shown = Math.min(Math.max(length, 0), SHOWN_BYTES);
        for (int i = 0; i < shown; i++) {
            appendChar(text, b.get(offset + i) & 0xFF);
        }
        text.append('"');
        if (length > SHOWN_BYTES) {
            text.append("...");
        }
        return text.toString();
    }

    static String bytes(byte[] b, int offset, int length) {
        return bytes(ByteBuffer.wrap(b), offset, length);
    }

    private static void appendChar(StringBuilder text, int c) {
        switch (c) {
            case '\n': text.append("\\n"); break;
            case '\r': text.append("\\r"); break;
            case '\t': text.append("\\t"); break;
            case '"': text.append("\\\""); break;
            case '\\': text.append("\\\\"); break;
            default:
                if (c >= 0x20 && c < 0x7F) {
                    text.append((char) c);
                } else {
                    text.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                }
        }
    }

    static String pollEvents(int events) {
        if (events == 0) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        String[] names = {"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL"};
        for (int bit = 0; bit < names.length; bit++) {
            if ((events & (1 << bit)) != 0) {
                text.append(text.length() == 0 ? "" : "|").append(names[bit]);
            }
        }
        return text.toString();
    }
}
