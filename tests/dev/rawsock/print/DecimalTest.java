package dev.rawsock.print;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Decimal} against exact arithmetic (BigDecimal of the double, rounded half up: what C's printf prints)
 * and against String.format where the two roundings agree.
 */
class DecimalTest {

    @Test
    void roundsHalfUpFromTheExactValue() {
        assertEquals("0", format(0.0, 0));
        assertEquals("1", format(0.5, 0), "an exact tie rounds up");
        assertEquals("3", format(2.5, 0));
        assertEquals("0.13", format(0.125, 2), "0.125 is exact in binary: a tie");
        assertEquals("1.00", format(1.005, 2), "1.005 is 1.00499999999999989...: below the tie (C says 1.00)");
        assertEquals("0.0001", format(0.0001, 4));
        assertEquals("0.0010", format(0.00099999, 4));
        assertEquals("12.050", format(12.05, 3));
        assertEquals("186243", format(186242.6, 0));
        assertEquals("100.0", format(100.0, 1));
        assertEquals("0.000000001", format(1e-9, 9));
    }

    @Test
    void signsAndNonFiniteValuesAsFormatterPrintsThem() {
        for (double v : new double[] {-0.01, -0.0, -1.25, -1234.5678, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY}) {
            for (int digits = 0; digits <= 4; digits++) {
                assertEquals(String.format(Locale.ROOT, "%." + digits + "f", v), format(v, digits), v + " with " + digits);
            }
        }
    }

    /**
     * Random values from 1e-6 to 1e12 at every precision, a seventh of them near a tie: always the exact rounding.
     * Where Formatter differs, it is because it rounds the double's shortest decimal form (Double.toString): near
     * a tie of that form, or where more digits are asked for than the form has (Formatter pads it with zeros).
     */
    @Test
    void agreesWithExactArithmetic() {
        SplittableRandom random = new SplittableRandom(1071);
        for (int k = 0; k < 200_000; k++) {
            double v = Math.pow(10, random.nextDouble(-6, 12)) * (random.nextBoolean() ? 1 : -1);
            if (k % 7 == 0) {
                v = Math.floor(v * 1000) / 1000 + 0.0005; // the third digit's tie, give or take the double's error
            }
            int digits = random.nextInt(10);
            String ours = format(v, digits);
            assertEquals(withSign(v, new BigDecimal(v).setScale(digits, RoundingMode.HALF_UP)), ours, v + " with " + digits);
            String formatter = String.format(Locale.ROOT, "%." + digits + "f", v);
            if (!formatter.equals(ours)) {
                assertEquals(withSign(v, new BigDecimal(Double.toString(v)).setScale(digits, RoundingMode.HALF_UP)),
                        formatter, v + " with " + digits + ": Formatter rounds the shortest form");
            }
        }
    }

    /** BigDecimal has no -0: a negative value that rounds to zero prints "-0.00" from printf and Formatter. */
    private static String withSign(double v, BigDecimal rounded) {
        String text = rounded.toPlainString();
        return v < 0 && rounded.signum() == 0 ? "-" + text : text;
    }

    @Test
    void largeValuesAndBadPrecision() {
        assertEquals("10000000000000000000000.00", format(1e22, 2));
        assertEquals(new BigDecimal(123456789012345.678).setScale(3, RoundingMode.HALF_UP).toPlainString(),
                format(123456789012345.678, 3));
        assertEquals("1.5", Decimal.append(new StringBuilder(), 1.5, 1).toString());
        assertThrows(IllegalArgumentException.class, () -> format(1, 10));
        assertThrows(IllegalArgumentException.class, () -> format(1, -1));
    }

    private static String format(double value, int fractionDigits) {
        return Decimal.append(new StringBuilder(), value, fractionDigits).toString();
    }
}
