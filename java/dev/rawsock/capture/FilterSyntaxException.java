package dev.rawsock.capture;

/**
 * A filter expression that does not parse: what was expected or wrong, and the 1-based column where,
 * e.g. {@code expected a port number at column 10: tcp port x}. {@link #caretLine(int)} draws a caret
 * under the column when the message is printed after a prefix.
 */
public final class FilterSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String expression;
    private final int column;

    public FilterSyntaxException(String problem, String expression, int column) {
        super(problem + " at column " + column + ": " + expression);
        this.problem = problem;
        this.expression = expression;
        this.column = column;
    }

    /** What is wrong, without the position. */
    public String problem() {
        return problem;
    }

    public String expression() {
        return expression;
    }

    /** 1-based; one past the end when the expression stopped too early. */
    public int column() {
        return column;
    }

    /**
     * A line with a caret under the column, for a message printed as {@code prefix + getMessage()} where
     * the prefix is {@code prefixLength} characters long.
     */
    public String caretLine(int prefixLength) {
        int at = prefixLength + getMessage().length() - expression.length() + column - 1;
        return " ".repeat(Math.max(0, at)) + "^";
    }
}
