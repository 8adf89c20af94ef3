package dev.rawsock.helper;

import dev.rawsock.testing.NativeTools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers for the helper's tests: a helper in this JVM or in a process of its own, and the CLI run as uid 65534. */
final class HelperTesting {
    private HelperTesting() {}

    static final int NOBODY = 65534;

    /** A directory every user may enter (for socket files and the jar copy); removed with {@link #remove}. */
    static Path openDirectory() throws IOException {
        Path dir = Files.createTempDirectory("rawsock-helper-test");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    static void remove(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A helper served by this JVM (root), with its audit log kept in memory. */
    static final class InProcess implements AutoCloseable {
        final HelperServer server;
        final String path;
        private final ByteArrayOutputStream log = new ByteArrayOutputStream();

        InProcess(Path dir, Policy policy) throws IOException {
            this(dir, policy, new HelperServer.Timeouts(600_000, 1_000, 2_000));
        }

        InProcess(Path dir, Policy policy, HelperServer.Timeouts timeouts) throws IOException {
            path = dir.resolve("helper-" + System.nanoTime() + ".sock").toString();
            SocketFile socket = SocketFile.listen(path, "rw-rw-rw-", null);
            server = HelperServer.start(socket, policy, new AuditLog(new PrintStream(log, true, StandardCharsets.UTF_8), true), timeouts);
        }

        String audit() {
            synchronized (log) {
                return log.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** A helper in a process of its own: `java -jar target/rawsock.jar helper --socket PATH ARGS...`. */
    static final class Daemon implements AutoCloseable {
        final Process process;
        final String path;
        final Path stderr;

        Daemon(Path dir, String path, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
            this.path = path;
            this.stderr = dir.resolve("helper-" + System.nanoTime() + ".err");
            List<String> command = new ArrayList<>(List.of(java()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar().toString(), "helper", "--socket", path));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
            long deadline = System.nanoTime() + 15_000_000_000L;
            // the helper says it listens once the socket file is complete (mode, group, staging directory removed)
            while (!Files.readString(stderr).contains("rawsock helper: listening on " + path)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the helper did not start (exit " + (process.isAlive() ? "-" : process.exitValue())
                            + "): " + Files.readString(stderr));
                }
                Thread.sleep(50);
            }
        }

        long pid() {
            return process.pid();
        }

        String stderr() throws IOException {
            return Files.readString(stderr);
        }

        /** SIGTERM, as a service manager stops it; returns the exit code. */
        int stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                stop();
            }
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path jar() {
        Path built = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(Files.exists(built), "target/rawsock.jar is missing: run 'make test' (it builds first)");
        return built;
    }

    /** Copies the jar where uid 65534 can read it. */
    static Path jarFor(Path openDir) throws IOException {
        Path copy = openDir.resolve("rawsock.jar");
        Files.copy(jar(), copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        return copy;
    }

    /** Runs the CLI as uid/gid 65534 with no capabilities (setpriv), with extra environment variables. */
    static NativeTools.Result asNobody(Path jar, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "--inh-caps=-all", "--", java(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return NativeTools.run(60, command, env);
    }

    /** What each open descriptor of process {@code pid} is, for failure messages. */
    static String describeDescriptors(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(p -> {
                try {
                    return p.getFileName() + "->" + Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "->?";
                }
            }).sorted().toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Open descriptors of process {@code pid}. */
    static int descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }
}
