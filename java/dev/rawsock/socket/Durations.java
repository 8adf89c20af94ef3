package dev.rawsock.socket;

import java.time.Duration;
import java.util.Locale;

/** Durations as people write them on a command line: 500ms, 1s, 200us, 1.5s, 2m; a bare number is seconds. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String number;
        long nanosPerUnit;
        if (t.endsWith("ns")) {
            number = t.substring(0, t.length() - 2);
            nanosPerUnit = 1L;
        } else if (t.endsWith("us")) {
            number = t.substring(0, t.length() - 2);
            nanosPerUnit = 1_000L;
        } else if (t.endsWith("ms")) {
            number = t.substring(0, t.length() - 2);
            nanosPerUnit = 1_000_000L;
        } else if (t.endsWith("s")) {
            number = t.substring(0, t.length() - 1);
            nanosPerUnit = 1_000_000_000L;
        } else if (t.endsWith("m")) {
            number = t.substring(0, t.length() - 1);
            nanosPerUnit = 60_000_000_000L;
        } else {
            number = t;
            nanosPerUnit = 1_000_000_000L;
        }
        try {
            double value = Double.parseDouble(number);
            if (!(value >= 0) || Double.isInfinite(value) || number.isEmpty() || !number.matches("[0-9.]+")) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(value * nanosPerUnit));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 1s or 200us but was '" + text + "'");
        }
    }
}
