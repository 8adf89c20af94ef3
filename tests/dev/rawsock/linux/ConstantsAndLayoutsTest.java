package dev.rawsock.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rawsock.testing.NativeTools;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The project's own Linux constants and struct layouts ({@link Constants}, {@link Errno}, {@link Structs})
 * against the real C headers, as {@code native/constants.c} prints them with the C compiler's values,
 * {@code sizeof} and {@code offsetof}.
 *
 * <p>Both sides are keyed the same way: {@code const NAME}, {@code errno NAME}, {@code struct C_NAME size}
 * and {@code struct C_NAME member}. Every difference fails, in either direction: a Java item that C does
 * not print or prints with another value, and a C line with no Java twin. All mismatches of a kind are
 * reported at once. When they disagree, the headers are right.
 */
class ConstantsAndLayoutsTest {

    /** The C program's output, key ("const AF_INET") to value, in its order. */
    private static final Map<String, Long> C = new LinkedHashMap<>();
    /** Lines of the C output that could not be read, or that repeat a key. */
    private static final List<String> MALFORMED = new ArrayList<>();

    @BeforeAll
    static void runConstantsProgram() throws Exception {
        NativeTools.Result r = NativeTools.run(30, List.of(NativeTools.binary("constants").toString()));
        assertEquals(0, r.exitCode(), "native/constants exited with " + r.exitCode() + "; stderr:\n" + r.stderr());
        for (String line : r.lines()) {
            String[] t = line.trim().split("\\s+");
            boolean shaped = switch (t[0]) {
                case "const", "errno" -> t.length == 3;
                case "struct" -> t.length == 4;
                default -> false;
            };
            Long value = shaped ? parse(t[t.length - 1]) : null;
            if (value == null) {
                MALFORMED.add("unreadable line: '" + line + "'");
                continue;
            }
            String key = String.join(" ", Arrays.copyOf(t, t.length - 1));
            if (C.putIfAbsent(key, value) != null) {
                MALFORMED.add("printed twice: '" + key + "'");
            }
        }
    }

    @Test
    void outputIsWellFormed() {
        if (!MALFORMED.isEmpty()) {
            fail(MALFORMED.size() + " bad line(s) from native/constants:\n  " + String.join("\n  ", MALFORMED));
        }
    }

    @Test
    void constantsMatchHeaders() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        for (Field f : Constants.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || f.isSynthetic()) {
                continue;
            }
            if (!Modifier.isPublic(m) || !Modifier.isFinal(m) || (f.getType() != int.class && f.getType() != long.class)) {
                fail("Constants." + f.getName() + " is not a public static final int/long, so it cannot be checked");
            }
            java.put("const " + f.getName(), f.getLong(null));
        }
        compare("const", java, 100);
    }

    @Test
    void errnoMatchesHeaders() {
        Map<String, Long> java = new LinkedHashMap<>();
        for (Errno e : Errno.values()) {
            java.put("errno " + e.name(), (long) e.number);
        }
        compare("errno", java, 40);
    }

    @Test
    void structLayoutsMatchHeaders() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Class<?>[] nested = Structs.class.getDeclaredClasses();
        for (Class<?> s : nested) {
            String cName = null;
            boolean hasSize = false;
            List<Field> ints = new ArrayList<>();
            for (Field f : s.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isStatic(m) || f.isSynthetic()) {
                    continue;
                }
                if (f.getName().equals("C_NAME") && f.getType() == String.class) {
                    cName = (String) f.get(null);
                } else if (Modifier.isPublic(m) && Modifier.isFinal(m) && f.getType() == int.class) {
                    ints.add(f);
                    hasSize |= f.getName().equals("SIZE");
                } else {
                    problems.add("Structs." + s.getSimpleName() + "." + f.getName()
                            + " is neither C_NAME nor a public static final int, so it cannot be checked");
                }
            }
            if (cName == null) {
                problems.add("Structs." + s.getSimpleName() + " has no String C_NAME");
                continue;
            }
            if (!hasSize) {
                problems.add("Structs." + s.getSimpleName() + " has no SIZE");
            }
            for (Field f : ints) {
                String what = f.getName().equals("SIZE") ? "size" : f.getName().toLowerCase(Locale.ROOT);
                java.put("struct " + cName + " " + what, (long) f.getInt(null));
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
        assertTrue(nested.length >= 10, "only " + nested.length + " nested classes found in Structs");
        compare("struct", java, 80);
    }

    /**
     * Compares the Java items of one kind with the C lines of the same kind, both ways, and fails with
     * every mismatch named; also fails when fewer than {@code atLeast} items were found equal, so an
     * empty or truncated output cannot pass.
     */
    private static void compare(String kind, Map<String, Long> java, int atLeast) {
        List<String> mismatches = new ArrayList<>();
        int equal = 0;
        for (Map.Entry<String, Long> j : java.entrySet()) {
            Long c = C.get(j.getKey());
            if (c == null) {
                mismatches.add(j.getKey() + ": Java has " + show(j.getValue()) + ", native/constants.c prints nothing");
            } else if (!c.equals(j.getValue())) {
                mismatches.add(j.getKey() + ": Java has " + show(j.getValue()) + ", C headers say " + show(c));
            } else {
                equal++;
            }
        }
        for (Map.Entry<String, Long> c : C.entrySet()) {
            if (c.getKey().startsWith(kind + " ") && !java.containsKey(c.getKey())) {
                mismatches.add(c.getKey() + ": C headers say " + show(c.getValue()) + ", Java has no such item");
            }
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " " + kind + " mismatch(es) between Java and the C headers (the headers are right):\n  "
                    + String.join("\n  ", mismatches));
        }
        assertTrue(equal >= atLeast, "only " + equal + " " + kind + " items compared (expected at least " + atLeast
                + "): is native/constants printing everything?");
    }

    private static String show(long v) {
        return v + (v > 9 || v < 0 ? " (0x" + Long.toHexString(v) + ")" : "");
    }

    private static Long parse(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
