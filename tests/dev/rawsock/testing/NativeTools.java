package dev.rawsock.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C programs in native/, built into target/native/ (by `make native`, or here with gcc when missing
 * or older than their source), and a bounded way to run commands and collect their output.
 */
public final class NativeTools {
    private NativeTools() {}

    /** The project's root (where pom.xml is). */
    public static Path projectRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("pom.xml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("pom.xml not found above " + Paths.get("").toAbsolutePath());
        }
        return p;
    }

    /** target/native/NAME, compiled from native/NAME.c when missing or stale. */
    public static synchronized Path binary(String name) throws IOException, InterruptedException {
        Path root = projectRoot();
        Path source = root.resolve("native").resolve(name + ".c");
        Path binary = root.resolve("target/native").resolve(name);
        if (!Files.exists(source)) {
            throw new IllegalStateException("no such native source: " + source);
        }
        if (!Files.exists(binary) || Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) < 0
                || Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(root.resolve("native/trace.h"))) < 0
                || Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(root.resolve("native/loopback_syn.h"))) < 0) {
            Files.createDirectories(binary.getParent());
            Result r = run(60, List.of("gcc", "-O2", "-Wall", "-Wextra", "-std=gnu11", "-o", binary.toString(), source.toString()));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("gcc failed for " + source + ":\n" + r.stderr());
            }
        }
        return binary;
    }

    /** What a finished process printed. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n", -1)).subList(0, stdout.endsWith("\n")
                    ? stdout.split("\n", -1).length - 1 : stdout.split("\n", -1).length);
        }
    }

    /**
     * COMMAND run with SIGINT at its default action, for a child a test stops with {@code kill -INT} as Ctrl-C
     * would. A shell without job control starts background commands with SIGINT ignored (POSIX Shell Command
     * Language, 2.11), so {@code make test &} in a script hands that on to the test JVM and its children; a JVM
     * that inherits SIGINT ignored keeps it ignored (so that nohup works) and no shutdown hook would run.
     * {@code env --default-signal} (GNU coreutils 8.31+) resets it and execs, so the pid stays the command's.
     */
    public static List<String> withDefaultSigint(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("env", "--default-signal=INT"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs a command with no input, waiting at most {@code timeoutSeconds}; kills it after that. */
    public static Result run(int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        return run(timeoutSeconds, command, null);
    }

    /** Same, with extra environment variables (may be null). */
    public static Result run(int timeoutSeconds, List<String> command, java.util.Map<String, String> env)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("rawsock-out", ".txt");
        Path err = Files.createTempFile("rawsock-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (env != null) {
                pb.environment().putAll(env);
            }
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\nstdout so far:\n" + Files.readString(out) + "\nstderr so far:\n" + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
