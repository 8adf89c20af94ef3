package dev.rawsock.junit;

import java.util.Map;
import java.util.TreeMap;

/** Runs one example class through a nested launcher and prints "display-name STATUS message" lines (for subprocess tests). */
public final class NestedMain {
    private NestedMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, RawsockHarnessTest.Outcome> outcomes = new TreeMap<>(RawsockHarnessTest.run(Class.forName(args[0])));
        outcomes.forEach((name, o) -> System.out.println(name + " " + o.status() + " " + o.message().replace('\n', ' ')));
    }
}
