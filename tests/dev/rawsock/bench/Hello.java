package dev.rawsock.bench;

import java.nio.file.Path;
import java.util.List;

/** The bare JVM's floor for the start-up and memory cases: start, print one line, exit. */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        System.out.println("hello");
    }

    /** This class on the same JVM with bin/rawsock's GC and heap flags (and the JDK's own CDS archive). */
    static List<String> command(Path root) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-Xms8m", "-XX:TieredStopAtLevel=1", "-cp", root.resolve("target/test-classes").toString(),
                Hello.class.getName());
    }
}
