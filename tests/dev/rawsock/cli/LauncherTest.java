package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/rawsock runs the built jar quietly on the default JDK and on a JDK 22+ (native access allowed), maps its
 * classes from the CDS archive the build made, and ignores an archive that does not fit without a word.
 */
class LauncherTest {
    private static final Path LAUNCHER = NativeTools.projectRoot().resolve("bin/rawsock");

    @Test
    void runsOnTheDefaultJdk() throws Exception {
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "--version"));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("rawsock 0."), r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void mapsRawsocksClassesFromTheCdsArchiveMadeByTheBuild() throws Exception {
        Path archive = NativeTools.projectRoot().resolve("target/rawsock.jsa");
        assertTrue(Files.isRegularFile(archive), "make build writes " + archive);
        Path log = Files.createTempFile("rawsock-class-load", ".txt");
        try {
            NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "craft", "tcp", "--dst", "127.0.0.1", "--seed", "1"),
                    Map.of("RAWSOCK_JAVA_OPTS", "-Xlog:class+load=info:file=" + log));
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stdout().startsWith("TCP 127.0.0.1:"), r.stdout());
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().anyMatch(l -> l.contains("dev.rawsock.cli.CraftCommand source: shared objects file (top)")),
                    "CraftCommand comes from the archive:\n" + String.join("\n", lines.stream().filter(l -> l.contains("dev.rawsock")).toList()));
            assertTrue(lines.stream().anyMatch(l -> l.contains("picocli.CommandLine source: shared objects file (top)")),
                    "picocli (recompiled for Java 17) comes from the archive too");
            assertFalse(lines.stream().anyMatch(l -> l.contains("jnr.ffi")), "craft loads no jnr-ffi");
            // craft's model is declared without annotations (cli/Args): reading them spins a proxy class per
            // annotation type at run time, which no CDS archive holds (about half of craft's run on JDK 17)
            assertEquals(List.of(), lines.stream().filter(l -> l.contains("__dynamic_proxy__")).toList(),
                    "craft reads no annotations");
            assertFalse(lines.stream().anyMatch(l -> l.contains("java.time.ZonedDateTime") || l.contains("java.sql.Timestamp")),
                    "picocli registers no java.time/java.sql converters (picocli.converters.excludes)");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** An installed-like copy (bin/rawsock, lib/rawsock/rawsock.jar) with {@code archive} as its rawsock.jsa. */
    private static NativeTools.Result versionWithArchive(Path dir, byte[] archive) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path lib = Files.createDirectories(dir.resolve("lib/rawsock"));
        Files.copy(LAUNCHER, bin.resolve("rawsock"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(NativeTools.projectRoot().resolve("target/rawsock.jar"), lib.resolve("rawsock.jar"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(lib.resolve("rawsock.jsa"), archive);
        // newer than the jar, so the launcher passes it to the JVM, which must refuse it without a word
        Files.setLastModifiedTime(lib.resolve("rawsock.jsa"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        return NativeTools.run(60, List.of(bin.resolve("rawsock").toString(), "--version"));
    }

    @Test
    void anArchiveMadeForAnotherJarOrNoArchiveAtAllIsIgnoredQuietly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // target/rawsock.jsa names target/rawsock.jar: for the copy, the JVM finds the path mismatched.
        byte[] foreign = Files.readAllBytes(NativeTools.projectRoot().resolve("target/rawsock.jsa"));
        NativeTools.Result r = versionWithArchive(dir.resolve("foreign"), foreign);
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("rawsock 0."), r.stdout());
        assertEquals("", r.stderr());
        NativeTools.Result garbage = versionWithArchive(dir.resolve("garbage"), "not an archive".getBytes());
        assertEquals(0, garbage.exitCode(), garbage.stderr());
        assertTrue(garbage.stdout().startsWith("rawsock 0."), garbage.stdout());
        assertEquals("", garbage.stderr());
    }

    @Test
    void runsQuietlyOnJdk25() throws Exception {
        Path temurin = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        Assumptions.assumeTrue(Files.isExecutable(temurin.resolve("bin/java")),
                "no Temurin 25 JDK at " + temurin + " on this machine");
        // tour loads the native library (jffi): on JDK 22+ that warns unless native access is enabled.
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "tour"), Map.of("JAVA_HOME", temurin.toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        assertFalse(r.stderr().contains("WARNING"), r.stderr());
        assertEquals("", r.stderr());
        assertTrue(r.stdout().contains("close("), r.stdout());
    }

    /**
     * The launcher caps C2's nodes for the line printer's methods by name (its compiler arenas were the largest part
     * of a decode's peak RSS): the class it names must exist, or a rename would drop the cap without a word.
     */
    @Test
    void theCompileCommandNamesTheLinePrinter() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("MaxNodeLimit,([\\w.]+)::\\*,(\\d+)")
                .matcher(Files.readString(LAUNCHER));
        assertTrue(m.find(), "bin/rawsock caps C2's nodes for the line printer");
        assertEquals(dev.rawsock.print.LinePrinter.class.getName(), m.group(1));
        assertTrue(Files.readString(LAUNCHER).contains("-XX:CompileCommand=quiet"), "and says nothing about it on stdout");
    }

    /** The JVM's own report of the flags bin/rawsock gave it for {@code command} (-XX:+PrintCommandLineFlags). */
    private static List<String> jvmFlags(String command) throws Exception {
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), command, "--help"),
                Map.of("RAWSOCK_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        assertEquals(0, r.exitCode(), r.stderr());
        String first = r.stdout().lines().findFirst().orElse("");
        assertTrue(first.startsWith("-XX:"), r.stdout());
        return List.of(first.trim().split("\\s+"));
    }

    /**
     * The compilers per command (README, Benchmarks): send, decode and sniff keep both tiers (C1 only costs the
     * flood 4-10% of its rate and the decode 35%); craft (start-up) runs C1 only.
     */
    @Test
    void theLongRunningCommandsGetTheirCompilerFlags() throws Exception {
        List<String> send = jvmFlags("send");
        List<String> decode = jvmFlags("decode");
        List<String> sniff = jvmFlags("sniff");
        for (List<String> both : List.of(send, decode, sniff)) {
            assertFalse(both.contains("-XX:-TieredCompilation") || both.contains("-XX:TieredStopAtLevel=1"), both.toString());
        }
        assertTrue(jvmFlags("craft").contains("-XX:TieredStopAtLevel=1"));
        for (List<String> flags : List.of(send, decode, sniff)) {
            assertTrue(flags.contains("-XX:+UseSerialGC") && flags.contains("-XX:InitialHeapSize=8388608"), flags.toString());
            // the peak-memory flags (bin/rawsock: a small first young generation, smaller inlining)
            assertTrue(flags.contains("-XX:NewSize=1048576") && flags.contains("-XX:FreqInlineSize=100")
                    && flags.contains("-XX:C1MaxInlineSize=20"), flags.toString());
        }
    }

    /**
     * jffi's JNI stub is loaded from the directory the build unpacked it to, beside the jar, not copied out of the jar
     * into a temp file by every process (the JVM's own log of the libraries it loads says from where).
     */
    @Test
    void loadsJffisStubFromBesideTheJar() throws Exception {
        Path stubs = NativeTools.projectRoot().resolve("target/jffi");
        assertTrue(Files.isDirectory(stubs), "make build unpacks jffi's stub into " + stubs);
        NativeTools.Result r = NativeTools.run(60, List.of(LAUNCHER.toString(), "tour"),
                Map.of("RAWSOCK_JAVA_OPTS", "-Xlog:library=info"));
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> loaded = r.stdout().lines().filter(l -> l.contains("Loaded library") && l.contains("jffi")).toList();
        assertEquals(1, loaded.size(), r.stdout());
        assertTrue(loaded.get(0).contains(stubs.resolve("libjffi-1.2.so").toString()), loaded.toString());
    }
}
