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
     * The same with the JVM flags bin/rawsock gives {@code rawsockCommand} (send, decode), as the JVM itself reports
     * them ({@code -XX:+PrintCommandLineFlags} on {@code bin/rawsock COMMAND --help}), less rawsock's own CDS
     * archive: the JVM's fixed cost for that command, in the peak-memory budgets.
     */
    static List<String> withFlagsOf(Path root, String rawsockCommand) throws Exception {
        return withFlagsOf(root, rawsockCommand, Hello.class, root.resolve("target/test-classes").toString());
    }

    /** {@link #withFlagsOf(Path, String)} running {@code main} on {@code classPath} instead of this class. */
    static List<String> withFlagsOf(Path root, String rawsockCommand, Class<?> main, String classPath) throws Exception {
        dev.rawsock.testing.NativeTools.Result r = dev.rawsock.testing.NativeTools.run(60,
                List.of(root.resolve("bin/rawsock").toString(), rawsockCommand, "--help"),
                java.util.Map.of("RAWSOCK_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        String first = r.stdout().lines().findFirst().orElse("");
        if (r.exitCode() != 0 || !first.startsWith("-XX:")) {
            throw new IllegalStateException("bin/rawsock " + rawsockCommand + " --help printed no JVM flags: " + r.stdout() + r.stderr());
        }
        // The report includes ergonomic diagnostic flags (-XX:-THPStackMitigation), which must be unlocked to be given.
        List<String> command = new java.util.ArrayList<>(List.of(java(), "-XX:+UnlockDiagnosticVMOptions"));
        for (String flag : first.trim().split("\\s+")) {
            if (!flag.contains("PrintCommandLineFlags") && !flag.contains("SharedArchiveFile") && !flag.contains("SharedSpaces")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", classPath, main.getName()));
        return command;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
