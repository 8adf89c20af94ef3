package dev.rawsock.bench;

import java.nio.file.Path;
import java.util.List;

/** The bare JVM's floor for the start-up and memory cases: start, print one line, exit. */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        System.out.println("hello");
    }

    /**
     * This class on the same JVM with the flags bin/rawsock gives craft (GC, heap, C1 only; and the JDK's own
     * CDS archive): the floor for start-up.
     */
    static List<String> command(Path root) {
        return List.of(java(), "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xms8m", "-XX:TieredStopAtLevel=1",
                "-cp", root.resolve("target/test-classes").toString(), Hello.class.getName());
    }

    /**
     * The same with the flags bin/rawsock gives the commands that move many packets (send, decode: both
     * compilers): the JVM's fixed cost in the peak-memory rows. Keep in step with bin/rawsock.
     */
    static List<String> longRunningCommand(Path root) {
        return List.of(java(), "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xms8m",
                "-cp", root.resolve("target/test-classes").toString(), Hello.class.getName());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
