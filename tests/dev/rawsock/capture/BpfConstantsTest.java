package dev.rawsock.capture;

import dev.rawsock.testing.NativeTools;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic BPF opcodes and ancillary offsets in {@link Bpf} (and the two Linux values BpfCompiler uses)
 * against {@code native/bpf_constants.c}, which prints what the C headers say: every name on both sides,
 * with the same value.
 */
class BpfConstantsTest {
    @Test
    void opcodesAndOffsetsMatchLinuxFilterH() throws Exception {
        NativeTools.Result r = NativeTools.run(30, List.of(NativeTools.binary("bpf_constants").toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        Map<String, Long> c = new LinkedHashMap<>();
        for (String line : r.lines()) {
            String[] t = line.trim().split("\\s+");
            assertEquals(3, t.length, line);
            c.put(t[1], Long.parseLong(t[2]));
        }
        Map<String, Long> java = new LinkedHashMap<>();
        for (Field f : Bpf.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()) && f.getType() == int.class) {
                java.put(f.getName(), (long) f.getInt(null));
            }
        }
        java.put("PACKET_OUTGOING", (long) BpfCompiler.PACKET_OUTGOING);
        java.put("ARPHRD_LOOPBACK", (long) BpfCompiler.ARPHRD_LOOPBACK);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Long> e : java.entrySet()) {
            Long v = c.get(e.getKey());
            if (!e.getValue().equals(v)) {
                differences.add(e.getKey() + ": Java " + e.getValue() + ", C " + v);
            }
        }
        for (String name : c.keySet()) {
            if (!java.containsKey(name)) {
                differences.add(name + ": printed by C, missing in Java");
            }
        }
        assertTrue(differences.isEmpty(), String.join("\n", differences));
        assertTrue(java.size() >= 45, "checked " + java.size());
    }
}
