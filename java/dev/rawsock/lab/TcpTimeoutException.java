package dev.rawsock.lab;

/** A wait in a hand-driven TCP conversation ran out: the message says what was awaited (exit 4 on the command line). */
public final class TcpTimeoutException extends LabException {
    private static final long serialVersionUID = 1L;

    private final String awaited;

    public TcpTimeoutException(String awaited, String message) {
        super(message);
        this.awaited = awaited;
    }

    /** What the conversation was waiting for, e.g. "the SYN-ACK to our SYN". */
    public String awaited() {
        return awaited;
    }
}
