package dev.rawsock.print;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Fixed-point decimals ({@code 0.0012}, {@code 25.0}) for times, round trips, rates and percentages, written into
 * the caller's StringBuilder. Why not {@code String.format("%.4f")}: java.util.Formatter parses its pattern and
 * builds objects on every call, and its first {@code %f} loads the JDK's locale providers and CLDR's number data
 * (about 60 classes, which the flood's CDS archive then holds) to learn that the decimal point is a point.
 *
 * <p>The value is rounded half up from what the double exactly is, as C's printf rounds; Java's Formatter rounds the
 * double's shortest decimal form instead, so the two differ where a double lies a hair below a tie (1.005 is
 * 1.00499999999999989..., "1.00" here and in C, "1.01" from Formatter) and in digits past the 17 a double
 * holds (Formatter pads with zeros). Neither happens with the few digits rawsock prints. A negative value that rounds
 * to zero keeps its sign ("-0.0"), as both do; NaN and the infinities print as Java names them.
 */
public final class Decimal {
    private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L};
    /** Below this a scaled value and its halves are exact in a double; larger ones go through BigDecimal. */
    private static final double MAX_SCALED = 0x1p52;

    private Decimal() {
    }

    /** Appends {@code value} with {@code fractionDigits} digits (0 to 9) after the point, rounded half up. */
    public static StringBuilder append(StringBuilder out, double value, int fractionDigits) {
        if (fractionDigits < 0 || fractionDigits >= POWERS_OF_TEN.length) {
            throw new IllegalArgumentException("fraction digits " + fractionDigits + " not in 0-" + (POWERS_OF_TEN.length - 1));
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return out.append(value);
        }
        long power = POWERS_OF_TEN[fractionDigits];
        double magnitude = Math.abs(value);
        double scaled = magnitude * power;
        if (!(scaled < MAX_SCALED)) {
            return out.append(new BigDecimal(value).setScale(fractionDigits, RoundingMode.HALF_UP).toPlainString());
        }
        // The product above is rounded, which can carry it across a tie; fma (one rounding, so its sign is
        // exact) says on which side of rounded +- 0.5 the exact product lies, and corrects by one.
        long rounded = (long) Math.floor(scaled + 0.5);
        if (Math.fma(magnitude, power, -(rounded - 0.5)) < 0) {
            rounded--;
        } else if (Math.fma(magnitude, power, -(rounded + 0.5)) >= 0) {
            rounded++;
        }
        if (Double.doubleToRawLongBits(value) < 0) { // the sign bit: negative, or -0.0
            out.append('-');
        }
        out.append(rounded / power);
        if (fractionDigits > 0) {
            out.append('.');
            long fraction = rounded % power;
            for (long p = power / 10; p > fraction && p > 1; p /= 10) {
                out.append('0');
            }
            out.append(fraction);
        }
        return out;
    }
}
