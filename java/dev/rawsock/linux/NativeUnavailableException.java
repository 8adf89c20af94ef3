package dev.rawsock.linux;

/** The C library binding could not be loaded; the message gives the root cause and the usual remedy. */
public final class NativeUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NativeUnavailableException(Throwable cause) {
        super(message(cause), cause);
    }

    private static String message(Throwable cause) {
        // jffi's own words are the useful part ("Unable to write jffi binary stub to ..."): keep the first
        // line of the deepest message that has them (jffi folds whole stack traces into its messages).
        String detail = String.valueOf(cause);
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                String m = t.getMessage();
                int stub = m.indexOf("Unable to write jffi");
                detail = stub >= 0 ? m.substring(stub) : m;
            }
        }
        int newline = detail.indexOf('\n');
        return "cannot load the C library binding (jnr-ffi): " + (newline >= 0 ? detail.substring(0, newline) : detail)
                + " (jffi unpacks a small library into java.io.tmpdir, which must be writable and allow exec:"
                + " set TMPDIR or RAWSOCK_JAVA_OPTS=-Djava.io.tmpdir=DIR)";
    }
}
