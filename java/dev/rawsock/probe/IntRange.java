package dev.rawsock.probe;

/** An inclusive range of values a field sweeps through, one per probe: {@code 8080-8090}, {@code 1-5}, or one value. */
public record IntRange(int first, int last) {
    public IntRange {
        if (last < first) {
            throw new IllegalArgumentException("range " + first + "-" + last + " runs backwards");
        }
    }

    public static IntRange of(int value) {
        return new IntRange(value, value);
    }

    /** Parses {@code N} or {@code N-M} within {@code [min, max]}; the message names the problem. */
    public static IntRange parse(String text, int min, int max) {
        String t = text.trim();
        int dash = t.indexOf('-', 1);
        try {
            int a = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).trim());
            int b = dash < 0 ? a : Integer.parseInt(t.substring(dash + 1).trim());
            if (a < min || b > max || a > max || b < min) {
                throw new NumberFormatException();
            }
            if (b < a) {
                throw new IllegalArgumentException("range '" + text + "' runs backwards");
            }
            return new IntRange(a, b);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be " + min + "-" + max + " or a range like " + min + "-" + Math.min(max, min + 10)
                    + " but was '" + text + "'");
        }
    }

    public int size() {
        return last - first + 1;
    }

    /** The value for probe {@code i}: the range walked in order, starting again after the last. */
    public int at(long i) {
        return first + (int) (i % size());
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
