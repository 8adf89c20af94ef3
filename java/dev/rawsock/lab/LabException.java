package dev.rawsock.lab;

/**
 * The lab could not be built, used or removed: a subprocess ({@code ip}) failed or timed out, a namespace
 * could not be entered, or the process lacks the privileges a lab needs ({@link #notPermitted()}). The
 * message names what was being done and, for a subprocess, its command line and output.
 */
public class LabException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean notPermitted;

    public LabException(String message) {
        this(message, false, null);
    }

    public LabException(String message, Throwable cause) {
        this(message, false, cause);
    }

    protected LabException(String message, boolean notPermitted, Throwable cause) {
        super(message, cause);
        this.notPermitted = notPermitted;
    }

    /** A lab that cannot be built because privileges are missing (exit 3 on the command line). */
    public static LabException notPermitted(String message) {
        return new LabException(message, true, null);
    }

    /** True when the process lacks a privilege the lab needs. */
    public boolean notPermitted() {
        return notPermitted;
    }
}
