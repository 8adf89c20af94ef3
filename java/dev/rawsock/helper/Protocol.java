package dev.rawsock.helper;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The helper's wire protocol: versioned, length-prefixed frames over a Unix stream socket, big-endian.
 *
 * <pre>
 * offset size field
 * 0      4    length: the bytes that follow, {@value #MIN_FRAME_BYTES}-{@value #MAX_FRAME_BYTES}
 * 4      1    version ({@value #VERSION})
 * 5      1    type (a request, or a response with the high bit set)
 * 6      4    request id, chosen by the client and echoed in every response to it
 * 10     ...  body, as the type says (README: "The helper protocol")
 * </pre>
 *
 * A frame whose length is out of range, or that does not arrive whole within the frame timeout, breaks the
 * framing: the helper answers with an error and closes that connection. An unknown version or type, or a
 * body that does not parse, leaves the framing intact: the helper answers with an error and keeps serving.
 */
public final class Protocol {
    private Protocol() {}

    public static final int VERSION = 1;
    /** Version, type and request id. */
    public static final int HEADER_BYTES = 6;
    public static final int MIN_FRAME_BYTES = HEADER_BYTES;
    /** The largest IPv4 packet plus room for the fields around it. */
    public static final int MAX_FRAME_BYTES = 65_535 + 64;

    // Requests (client to helper).
    public static final int HELLO = 0x01;
    public static final int SEND = 0x02;
    public static final int CAPTURE = 0x03;
    public static final int LAB_OPEN = 0x04;
    public static final int LAB_CLOSE = 0x05;
    public static final int CAPTURE_STOP = 0x06;

    // Responses (helper to client).
    public static final int HELLO_OK = 0x81;
    public static final int SENT = 0x82;
    public static final int CAPTURE_STARTED = 0x83;
    public static final int FRAME = 0x84;
    public static final int CAPTURE_END = 0x85;
    public static final int LAB_OPENED = 0x86;
    public static final int LAB_CLOSED = 0x87;
    public static final int ERROR = 0xFF;

    // Error codes (the body of ERROR: u16 code, string8 rule, string16 message).
    public static final int E_MALFORMED = 1;
    public static final int E_VERSION = 2;
    public static final int E_TYPE = 3;
    public static final int E_REFUSED = 4;
    public static final int E_NOT_AUTHORISED = 5;
    public static final int E_BUSY = 6;
    public static final int E_FAILED = 7;

    // CAPTURE's "where" field.
    public static final int WHERE_HOST = 0;
    public static final int WHERE_LAB = 1;

    /** SEND: at most this many copies per request. */
    public static final long MAX_SEND_COUNT = 1_000_000L;

    public static String typeName(int type) {
        switch (type) {
            case HELLO: return "HELLO";
            case SEND: return "SEND";
            case CAPTURE: return "CAPTURE";
            case LAB_OPEN: return "LAB_OPEN";
            case LAB_CLOSE: return "LAB_CLOSE";
            case CAPTURE_STOP: return "CAPTURE_STOP";
            case HELLO_OK: return "HELLO_OK";
            case SENT: return "SENT";
            case CAPTURE_STARTED: return "CAPTURE_STARTED";
            case FRAME: return "FRAME";
            case CAPTURE_END: return "CAPTURE_END";
            case LAB_OPENED: return "LAB_OPENED";
            case LAB_CLOSED: return "LAB_CLOSED";
            case ERROR: return "ERROR";
            default: return String.format("type 0x%02x", type);
        }
    }

    /** One frame as read: the body is positioned at its start and limited to its end. */
    public record Frame(int version, int type, int requestId, ByteBuffer body) {}

    /** A body that does not parse: names the message, the field and what was wrong. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedException(String message) {
            super(message);
        }
    }

    /** Reads a body field by field, each read checked against what is left and named in the error. */
    public static final class Reader {
        private final String message;
        private final ByteBuffer body;

        public Reader(String message, ByteBuffer body) {
            this.message = message;
            this.body = body;
        }

        private void need(String field, int bytes) throws MalformedException {
            if (body.remaining() < bytes) {
                throw new MalformedException(message + ": field '" + field + "' truncated (needs " + bytes + " bytes, "
                        + body.remaining() + " left)");
            }
        }

        public int u8(String field) throws MalformedException {
            need(field, 1);
            return body.get() & 0xFF;
        }

        public int u16(String field) throws MalformedException {
            need(field, 2);
            return body.getShort() & 0xFFFF;
        }

        public long u32(String field) throws MalformedException {
            need(field, 4);
            return body.getInt() & 0xFFFF_FFFFL;
        }

        public long u64(String field) throws MalformedException {
            need(field, 8);
            return body.getLong();
        }

        /** A UTF-8 string behind a u8 length. */
        public String string8(String field) throws MalformedException {
            return string(field, u8(field + " length"));
        }

        /** A UTF-8 string behind a u16 length. */
        public String string16(String field) throws MalformedException {
            return string(field, u16(field + " length"));
        }

        private String string(String field, int length) throws MalformedException {
            need(field, length);
            byte[] b = new byte[length];
            body.get(b);
            String s = new String(b, StandardCharsets.UTF_8);
            for (int i = 0; i < s.length(); i++) {
                if (Character.isISOControl(s.charAt(i)) || s.charAt(i) == '\uFFFD') {
                    throw new MalformedException(message + ": field '" + field + "' holds a control character or invalid UTF-8");
                }
            }
            return s;
        }

        /** The rest of the body (e.g. a packet). */
        public ByteBuffer rest() {
            ByteBuffer r = body.slice();
            body.position(body.limit());
            return r;
        }

        /** The body must end here. */
        public void end() throws MalformedException {
            if (body.hasRemaining()) {
                throw new MalformedException(message + ": " + body.remaining() + " unexpected bytes after the last field");
            }
        }
    }

    /** Builds a body; every string is checked against its length field. */
    public static final class Writer {
        private final ByteBuffer body;

        public Writer(int capacityBytes) {
            body = ByteBuffer.allocate(capacityBytes);
        }

        public Writer u8(int v) {
            body.put((byte) v);
            return this;
        }

        public Writer u16(int v) {
            body.putShort((short) v);
            return this;
        }

        public Writer u32(long v) {
            body.putInt((int) v);
            return this;
        }

        public Writer u64(long v) {
            body.putLong(v);
            return this;
        }

        public Writer string8(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xFF) {
                throw new IllegalArgumentException("string longer than 255 bytes: " + s);
            }
            body.put((byte) b.length).put(b);
            return this;
        }

        public Writer string16(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xFFFF) {
                b = java.util.Arrays.copyOf(b, 0xFFFF);
            }
            body.putShort((short) b.length).put(b);
            return this;
        }

        public Writer bytes(ByteBuffer b) {
            body.put(b.duplicate());
            return this;
        }

        public ByteBuffer done() {
            return body.flip();
        }
    }

    /** The body of an ERROR response. */
    public static ByteBuffer error(int code, String rule, String message) {
        String m = message.length() > 4000 ? message.substring(0, 4000) : message;
        String r = rule == null ? "" : rule.length() > 80 ? rule.substring(0, 77) + "..." : rule; // a long prefix list; the message has it whole
        return new Writer(8 + 3 * r.length() + 3 * m.length() + 2).u16(code).string8(r).string16(m).done();
    }
}
