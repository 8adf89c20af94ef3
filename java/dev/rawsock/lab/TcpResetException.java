package dev.rawsock.lab;

/** The peer answered with RST: the connection was refused (a closed port) or reset; the message says which and why. */
public final class TcpResetException extends LabException {
    private static final long serialVersionUID = 1L;

    private final boolean refused;

    public TcpResetException(boolean refused, String message) {
        super(message);
        this.refused = refused;
    }

    /** True when the RST answered our SYN (nothing listens on that port). */
    public boolean refused() {
        return refused;
    }
}
