package dev.rawsock.helper;

/**
 * The helper said no, or could not be reached: the error code ({@link Protocol}'s E_* values, or
 * {@link #UNREACHABLE}), the rule that refused (e.g. "max-pps=1000"), and the helper's message.
 */
public final class HelperException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Not a protocol code: the helper's socket did not answer. */
    public static final int UNREACHABLE = 0;

    private final int code;
    private final String rule;

    public HelperException(int code, String rule, String message) {
        super(message);
        this.code = code;
        this.rule = rule;
    }

    public HelperException(int code, String rule, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.rule = rule;
    }

    public int code() {
        return code;
    }

    /** The rule that refused, as name=value, or "" when none applies. */
    public String rule() {
        return rule;
    }

    /** A refusal by policy, a uid the helper does not admit, a full helper, or none reachable: the CLI's exit 3. */
    public boolean notPermitted() {
        return code == Protocol.E_REFUSED || code == Protocol.E_NOT_AUTHORISED || code == Protocol.E_BUSY || code == UNREACHABLE;
    }
}
